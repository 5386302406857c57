package pca

import (
	"context"
	"errors"

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

// findCA is loadCA for caller's op. A CA that does not exist answers as
// authorization would for it, with no resource policy: AccessDenied
// unless caller may perform op there, so another account cannot learn
// which CAs exist (AWS answers AccessDeniedException for a missing CA of
// another account; the owner account still gets ResourceNotFound).
func (s *Service) findCA(ctx context.Context, caller *authz.Caller, op, arn string) (*caRow, error) {
	ca, err := s.loadCA(ctx, caller, arn)
	if err != nil {
		return nil, s.hideMissing(ctx, caller, op, arn, err)
	}
	return ca, nil
}

// findCAFresh is findCA reading the database.
func (s *Service) findCAFresh(ctx context.Context, caller *authz.Caller, op, arn string) (*caRow, error) {
	ca, err := s.loadCAFresh(ctx, caller, arn)
	if err != nil {
		return nil, s.hideMissing(ctx, caller, op, arn, err)
	}
	return ca, nil
}

func (s *Service) hideMissing(ctx context.Context, caller *authz.Caller, op, arn string, err error) error {
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	_, account, _, perr := parseCAARN(arn)
	if perr != nil {
		return err
	}
	req := &authz.Request{Caller: caller, Action: "acm-pca:" + op, Resource: arn, ResourceAccount: account}
	if aerr := s.engine.Check(ctx, req); aerr != nil {
		return aerr
	}
	return err
}
