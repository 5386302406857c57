package pca

import (
	"context"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

// Directory lists the principals who-can considers: every account's root
// user, its IAM users, and a session of each IAM role. internal/iam's Store
// implements it.
type Directory interface {
	ListPrincipals(ctx context.Context) ([]authz.Principal, error)
}

// SetDirectory installs the directory WhoCan reads (wiring; call once
// before serving).
func (s *Service) SetDirectory(d Directory) {
	st := s.pstate()
	st.dirMu.Lock()
	st.dir = d
	st.dirMu.Unlock()
}

// DefaultWhoCanAction is the action WhoCan asks about when none is given.
const DefaultWhoCanAction = "acm-pca:IssueCertificate"

// ListPrincipalsWithAccessInput is OpenPCAListPrincipalsWithAccess's input.
type ListPrincipalsWithAccessInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	// Action defaults to acm-pca:IssueCertificate; "IssueCertificate" is
	// accepted too.
	Action string `max:"128"`
}

// ListPrincipalsWithAccessOutput lists who may perform the action now:
// the principals of the CA's own account, and what the CA policy grants
// beyond it (ExternalGrants), without naming other accounts' principals.
type ListPrincipalsWithAccessOutput struct {
	Action         string
	Principals     []PrincipalAccess
	ExternalGrants []ExternalGrant
}

// PrincipalAccess is one principal allowed, and why.
type PrincipalAccess struct {
	PrincipalArn  string
	PrincipalType string // Account (root user), User, AssumedRole
	AccountId     string
	// Reason is authz's reason: AllowedAsRoot, AllowedByIdentity,
	// AllowedByResource or AllowedByBoth.
	Reason     string
	Statements []AccessStatement
}

// AccessStatement names a statement that allowed the principal.
type AccessStatement struct {
	Policy     string // policy name: a managed policy ARN, "user/NAME/inline/POLICY", the CA ARN …
	PolicyKind string // IdentityPolicy, ResourcePolicy, SessionPolicy, …
	Index      int    // 0-based statement position in that policy
	Sid        string `json:",omitempty"`
}

// ListPrincipalsWithAccess is the API form of WhoCan, scoped as IAM
// Access Analyzer is: the full analysis for the principals of the CA's
// account (the caller's: only it may ask), and for other accounts,
// organizations and OUs only what the CA policy grants them. Other
// accounts' users, roles and policy names are never disclosed.
func (s *Service) ListPrincipalsWithAccess(ctx context.Context, caller *authz.Caller, in *ListPrincipalsWithAccessInput) (*ListPrincipalsWithAccessOutput, error) {
	action, err := normalizeAction(in.Action)
	if err != nil {
		return nil, err
	}
	ca, pols, ps, err := s.whoCan(ctx, caller, in.CertificateAuthorityArn, action, true)
	if err != nil {
		return nil, err
	}
	out := &ListPrincipalsWithAccessOutput{Action: action, Principals: ps, ExternalGrants: []ExternalGrant{}}
	if shareableActions[strings.TrimPrefix(action, "acm-pca:")] && pols.full != nil {
		out.ExternalGrants = externalGrants(pols.full.Document, pols.full.Name, ca.Owner, ca.ARN, action)
	}
	return out, nil
}

// WhoCan lists every principal (account root, IAM user, IAM role session)
// of every account that may perform action on the CA right now, judged by
// the same evaluation as a real request: the CA policy, each principal's
// identity policies, session limits, SCPs and live organization
// membership. It is the operator's full view (openpca admin who-can);
// callers of the API get ListPrincipalsWithAccess's scoped one. Only
// principals of the CA's owner account who may call acm-pca:GetPolicy on
// the CA may ask. action is "acm-pca:Op" or "Op" ("" means
// acm-pca:IssueCertificate); IssueCertificate is judged for the default
// template.
func (s *Service) WhoCan(ctx context.Context, caller *authz.Caller, caARN, action string) ([]PrincipalAccess, error) {
	action, err := normalizeAction(action)
	if err != nil {
		return nil, err
	}
	_, _, ps, err := s.whoCan(ctx, caller, caARN, action, false)
	return ps, err
}

// whoCan evaluates the candidates: only the CA account's principals when
// ownOnly, every account's otherwise.
func (s *Service) whoCan(ctx context.Context, caller *authz.Caller, caARN, action string, ownOnly bool) (*caRow, *caPolicies, []PrincipalAccess, error) {
	ca, err := s.findCA(ctx, caller, "GetPolicy", caARN)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := s.authorize(ctx, caller, "GetPolicy", ca, nil); err != nil {
		return nil, nil, nil, err
	}
	st := s.pstate()
	st.dirMu.RLock()
	dir := st.dir
	st.dirMu.RUnlock()
	if dir == nil {
		return nil, nil, nil, errf(ErrRequestFailed, "The principal directory is not configured on this server.")
	}
	principals, err := dir.ListPrincipals(ctx)
	if err != nil {
		return nil, nil, nil, &Error{Kind: ErrRequestFailed, Msg: "The principals could not be listed; please retry.", Err: err}
	}
	if ownOnly {
		own := principals[:0:0]
		for _, p := range principals {
			if p.AccountID == ca.Owner {
				own = append(own, p)
			}
		}
		principals = own
	}
	cands, err := s.engine.Candidates(ctx, principals)
	if err != nil {
		return nil, nil, nil, &Error{Kind: ErrRequestFailed, Msg: "The principals' policies could not be read; please retry.", Err: err}
	}
	pols, err := s.policiesFor(ctx, ca)
	if err != nil {
		return nil, nil, nil, err
	}
	// The same attachment rule as authorize.
	shareable := shareableActions[strings.TrimPrefix(action, "acm-pca:")]
	q := &authz.AccessQuery{Action: action, Resource: ca.ARN, ResourceAccount: ca.Owner, ResourceTags: ca.Tags,
		ResourcePolicy: pols.denyOnly}
	if shareable {
		q.ResourcePolicy = pols.full
	}
	out := []PrincipalAccess{}
	for _, a := range s.engine.WhoCan(q, cands) {
		if !shareable && a.Principal.AccountID != ca.Owner {
			continue // as authorize: management actions never cross accounts
		}
		pa := PrincipalAccess{PrincipalArn: principalName(&a.Principal), PrincipalType: string(a.Principal.Type),
			AccountId: a.Principal.AccountID, Reason: a.Reason.String(), Statements: []AccessStatement{}}
		for _, m := range a.Statements {
			pa.Statements = append(pa.Statements, AccessStatement{Policy: m.Policy, PolicyKind: m.Kind.String(),
				Index: m.Statement.Index, Sid: m.Statement.Sid})
		}
		out = append(out, pa)
	}
	return ca, pols, out, nil
}

// principalName shows a role session by its role's ARN: who-can is about
// the role, whatever the session is called.
func principalName(p *authz.Principal) string {
	if p.Type == authz.TypeAssumedRole && p.PrincipalARN != "" {
		return p.PrincipalARN
	}
	return p.ARN
}

// normalizeAction accepts "acm-pca:Op" (any case of the prefix) or "Op"
// for a known acm-pca action and returns "acm-pca:Op".
func normalizeAction(a string) (string, error) {
	if a == "" {
		return DefaultWhoCanAction, nil
	}
	op := a
	if svc, rest, ok := strings.Cut(a, ":"); ok {
		if !strings.EqualFold(svc, "acm-pca") {
			return "", errf(ErrInvalidArgs, "The action %s is not an acm-pca action.", a)
		}
		op = rest
	}
	for _, known := range pcaActions {
		if strings.EqualFold(known, op) {
			return "acm-pca:" + known, nil
		}
	}
	return "", errf(ErrInvalidArgs, "The action %s is not an acm-pca action.", a)
}
