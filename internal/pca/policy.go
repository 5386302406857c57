package pca

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

// Resource-policy operations (§3.1). One policy per CA, stored as sent.
//
// Decisions of ours (❓ in the reference):
//   - PutPolicy, GetPolicy and DeletePolicy on a DELETED CA answer
//     InvalidStateException (§2.10); every other state is accepted (AWS
//     lists the error without the rule). The policy survives deletion and
//     comes back with RestoreCertificateAuthority.
//   - Allow statements may grant only the seven shareable actions; Deny
//     statements may name any acm-pca action. The Deny statements apply to
//     every operation on the CA (so a CA policy can lock its owner out, which
//     LockoutPreventedException guards against); Allow statements are
//     consulted for the shareable actions only.
//   - LockoutPreventedException: PutPolicy whose document explicitly denies
//     the caller acm-pca:PutPolicy, DeletePolicy or GetPolicy on the CA.
//     DeletePolicy cannot lock anyone out and never answers it.

type PutPolicyInput struct {
	ResourceArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Policy      string `required:"true" min:"1" max:"81920" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

type GetPolicyInput struct {
	ResourceArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
}

type GetPolicyOutput struct {
	Policy string
}

type DeletePolicyInput = GetPolicyInput

// PolicyEmpty is the empty output of PutPolicy and DeletePolicy.
type PolicyEmpty struct{}

// PrincipalMapper keeps the IAM users and roles a policy names by unique
// ID, as AWS does, so that one deleted and created again under the same name
// is not granted by the old policy; it shows them by ARN again while they
// exist. IAM implements it; the server wires it.
type PrincipalMapper interface {
	StorePolicyPrincipals(ctx context.Context, doc string) (string, error)
	ShowPolicyPrincipals(ctx context.Context, doc string) (string, error)
}

// SetPrincipalMapper installs the mapper (wiring; call once before serving).
func (s *Service) SetPrincipalMapper(m PrincipalMapper) {
	st := s.pstate()
	st.dirMu.Lock()
	st.names = m
	st.dirMu.Unlock()
}

func (s *Service) principalMapper() PrincipalMapper {
	st := s.pstate()
	st.dirMu.RLock()
	defer st.dirMu.RUnlock()
	return st.names
}

// lockoutActions are the policy actions PutPolicy must leave to its caller.
var lockoutActions = []string{"acm-pca:PutPolicy", "acm-pca:DeletePolicy", "acm-pca:GetPolicy"}

// PutPolicy attaches (or replaces) the CA's resource policy.
func (s *Service) PutPolicy(ctx context.Context, caller *authz.Caller, in *PutPolicyInput) (*PolicyEmpty, error) {
	ca, err := s.findCA(ctx, caller, "PutPolicy", in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "PutPolicy", ca, nil); err != nil {
		return nil, err
	}
	if ca.Status == statusDeleted {
		return nil, wrongState(ca.ARN, "attach a policy")
	}
	if _, err := validatePolicy(in.Policy, ca.ARN); err != nil {
		return nil, err
	}
	if err := s.checkLockout(ctx, caller, ca, in.Policy); err != nil {
		return nil, err
	}
	doc := in.Policy
	if m := s.principalMapper(); m != nil {
		if doc, err = m.StorePolicyPrincipals(ctx, doc); err != nil {
			return nil, &Error{Kind: ErrRequestFailed, Msg: "The policy could not be stored; please retry.", Err: err}
		}
	}
	stored, err := s.putPolicy(ctx, ca.ID, ca.ARN, ca.Owner, doc, caller.ARN, s.clk.Now())
	s.invalidatePolicy(ca.ID)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The policy could not be stored; please retry.", Err: err}
	}
	if !stored {
		return nil, wrongState(ca.ARN, "attach a policy")
	}
	return &PolicyEmpty{}, nil
}

// GetPolicy returns the CA's policy as it was put, users and roles named
// by ARN while they exist (by unique ID once deleted).
func (s *Service) GetPolicy(ctx context.Context, caller *authz.Caller, in *GetPolicyInput) (*GetPolicyOutput, error) {
	ca, err := s.findCA(ctx, caller, "GetPolicy", in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "GetPolicy", ca, nil); err != nil {
		return nil, err
	}
	if ca.Status == statusDeleted {
		return nil, wrongState(ca.ARN, "read its policy")
	}
	doc, ok, err := s.getPolicy(ctx, ca.ID)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The policy could not be read; please retry.", Err: err}
	}
	if !ok {
		return nil, errf(ErrNotFound, "The certificate authority %s has no resource policy.", ca.ARN)
	}
	if m := s.principalMapper(); m != nil {
		if doc, err = m.ShowPolicyPrincipals(ctx, doc); err != nil {
			return nil, &Error{Kind: ErrRequestFailed, Msg: "The policy could not be read; please retry.", Err: err}
		}
	}
	return &GetPolicyOutput{Policy: doc}, nil
}

// DeletePolicy removes the CA's policy; a CA without one succeeds too.
func (s *Service) DeletePolicy(ctx context.Context, caller *authz.Caller, in *DeletePolicyInput) (*PolicyEmpty, error) {
	ca, err := s.findCA(ctx, caller, "DeletePolicy", in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "DeletePolicy", ca, nil); err != nil {
		return nil, err
	}
	if ca.Status == statusDeleted {
		return nil, wrongState(ca.ARN, "delete its policy")
	}
	err = s.deletePolicy(ctx, ca.ID, ca.ARN)
	s.invalidatePolicy(ca.ID)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The policy could not be deleted; please retry.", Err: err}
	}
	return &PolicyEmpty{}, nil
}

// checkLockout refuses a document that explicitly denies the caller one of
// the policy actions on the CA, judged with the caller's live context
// (organization keys included).
func (s *Service) checkLockout(ctx context.Context, caller *authz.Caller, ca *caRow, doc string) error {
	pol := &authz.Policy{Kind: authz.ResourcePolicy, Name: ca.ARN, Document: doc}
	for _, action := range lockoutActions {
		req := &authz.Request{Caller: caller, Action: action, Resource: ca.ARN, ResourceAccount: ca.Owner, ResourceTags: ca.Tags}
		pctx, err := s.engine.Context(ctx, req)
		if err != nil {
			return err
		}
		d := s.engine.Evaluate(&authz.Evaluation{Principal: &caller.Principal, Resource: pol,
			ResourceAccount: ca.Owner, Action: action, ResourceARN: ca.ARN, Context: pctx})
		if d.Reason == authz.DeniedExplicitResource {
			sid := ""
			if d.DecidingDeny != nil {
				sid = stmtName(d.DecidingDeny.Statement.Index, d.DecidingDeny.Statement.Sid) + " "
			}
			return errf(ErrLockoutPrevented, "The policy would deny you %s on %s: %sexplicitly denies it. Current access must be preserved.",
				action, ca.ARN, sid)
		}
	}
	return nil
}
