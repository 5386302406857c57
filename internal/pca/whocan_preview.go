package pca

import (
	"context"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

// WhoCanWithPolicy answers WhoCan as it would be if doc were the CA's
// policy ("" meaning no policy), so that the console can show who gains
// and who loses access before PutPolicy or DeletePolicy. doc is validated
// as PutPolicy validates it (InvalidPolicyException); nothing is stored.
// The caller needs acm-pca:GetPolicy on the CA, as for WhoCan.
func (s *Service) WhoCanWithPolicy(ctx context.Context, caller *authz.Caller, caARN, action, doc string) ([]PrincipalAccess, error) {
	action, err := normalizeAction(action)
	if err != nil {
		return nil, err
	}
	ca, err := s.loadCA(ctx, caller, caARN)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "GetPolicy", ca, nil); err != nil {
		return nil, err
	}
	if doc != "" {
		if _, err := validatePolicy(doc, ca.ARN); err != nil {
			return nil, err
		}
	}
	st := s.pstate()
	st.dirMu.RLock()
	dir := st.dir
	st.dirMu.RUnlock()
	if dir == nil {
		return nil, errf(ErrRequestFailed, "The principal directory is not configured on this server.")
	}
	principals, err := dir.ListPrincipals(ctx)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The principals could not be listed; please retry.", Err: err}
	}
	cands, err := s.engine.Candidates(ctx, principals)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The principals' policies could not be read; please retry.", Err: err}
	}
	perms, err := s.permissionStatements(ctx, ca)
	if err != nil {
		return nil, err
	}
	pols, err := mergePolicies(ca.ARN, doc, doc != "", perms)
	if err != nil {
		return nil, err
	}
	q := &authz.AccessQuery{Action: action, Resource: ca.ARN, ResourceAccount: ca.Owner, ResourceTags: ca.Tags,
		ResourcePolicy: pols.denyOnly}
	shareable := shareableActions[strings.TrimPrefix(action, "acm-pca:")]
	if shareable {
		q.ResourcePolicy = pols.full
	}
	out := []PrincipalAccess{}
	for _, a := range s.engine.WhoCan(q, cands) {
		if !shareable && a.Principal.AccountID != ca.Owner {
			continue
		}
		out = append(out, PrincipalAccess{PrincipalArn: principalName(&a.Principal), PrincipalType: string(a.Principal.Type),
			AccountId: a.Principal.AccountID, Reason: a.Reason.String()})
	}
	return out, nil
}
