package pca

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

// authorize asks authz whether caller may perform acm-pca:<op> on ca (nil
// for the account-level actions, authorized on "*").
func (s *Service) authorize(ctx context.Context, caller *authz.Caller, op string, ca *caRow, reqCtx map[string][]string) error {
	req := &authz.Request{Caller: caller, Action: "acm-pca:" + op, Resource: "*", Context: reqCtx}
	if ca != nil {
		req.Resource = ca.ARN
		req.ResourceAccount = ca.Owner
		req.ResourceTags = ca.Tags
	}
	return s.engine.Check(ctx, req)
}
