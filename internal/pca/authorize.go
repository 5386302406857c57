package pca

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

// authorize asks authz whether caller may perform acm-pca:<op> on ca (nil
// for the account-level actions, authorized on "*").
//
// The CA's resource policy (with the ACM permission statements) is
// attached in full only for the seven shareable actions; every other
// operation sees its Deny statements alone, so it is never granted across
// accounts, whatever a policy says.
func (s *Service) authorize(ctx context.Context, caller *authz.Caller, op string, ca *caRow, reqCtx map[string][]string) error {
	req := &authz.Request{Caller: caller, Action: "acm-pca:" + op, Resource: "*", Context: reqCtx}
	if ca == nil {
		return s.engine.Check(ctx, req)
	}
	req.Resource = ca.ARN
	req.ResourceAccount = ca.Owner
	req.ResourceTags = ca.Tags
	pols, err := s.policiesFor(ctx, ca)
	if err != nil {
		return err
	}
	shareable := shareableActions[op]
	if shareable {
		req.ResourcePolicy = pols.full
	} else {
		req.ResourcePolicy = pols.denyOnly
	}
	if err := s.engine.Check(ctx, req); err != nil {
		return err
	}
	if !shareable && caller.AccountID != ca.Owner {
		// Unreachable through authz (no Allow is attached); kept so that a
		// change there cannot open management operations across accounts.
		d := &authz.Decision{Reason: authz.DeniedNoResourceAllow}
		d.Message = authz.DenialMessage(&caller.Principal, req.Action, ca.ARN, d.Reason)
		return &authz.DeniedError{Decision: d}
	}
	return nil
}
