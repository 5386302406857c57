package org

import (
	"encoding/base64"
	"testing"
)

// TestNextTokenBinding checks that a NextToken resumes only the listing it
// was issued for: same caller and organization, operation and filter,
// unaltered.
func TestNextTokenBinding(t *testing.T) {
	e := newEnv(t)
	f := e.build()
	m, other := e.roots[acctM], e.roots[acctS]
	must(e.svc.CreateOrganization(e.ctx, other, &CreateOrganizationInput{}))
	one := 1
	first := must(e.svc.ListAccounts(e.ctx, m, &ListInput{MaxResults: &one}))
	if first.NextToken == "" {
		t.Fatalf("first page = %+v", first)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(first.NextToken)
	raw[len(raw)-1] ^= 1
	tests := []struct {
		name   string
		call   func() error
		kind   ErrorKind
		reason string
	}{
		{"same listing resumes", func() error {
			out, err := e.svc.ListAccounts(e.ctx, m, &ListInput{NextToken: first.NextToken})
			if err == nil && len(out.Accounts) != 1 {
				t.Errorf("second page = %+v", out.Accounts)
			}
			return err
		}, 0, ""},
		{"another organization's management account", func() error {
			_, err := e.svc.ListAccounts(e.ctx, other, &ListInput{NextToken: first.NextToken})
			return err
		}, InvalidInput, "INVALID_NEXT_TOKEN"},
		{"another filter", func() error {
			_, err := e.svc.ListAccountsForParent(e.ctx, m, &ListForParentInput{ParentId: f.root, NextToken: first.NextToken})
			return err
		}, InvalidInput, "INVALID_NEXT_TOKEN"},
		{"altered", func() error {
			_, err := e.svc.ListAccounts(e.ctx, m, &ListInput{NextToken: base64.RawURLEncoding.EncodeToString(raw)})
			return err
		}, InvalidInput, "INVALID_NEXT_TOKEN"},
		{"forged", func() error {
			_, err := e.svc.ListAccounts(e.ctx, m, &ListInput{NextToken: base64.RawURLEncoding.EncodeToString([]byte("ListAccounts\x00" + acctM))})
			return err
		}, InvalidInput, "INVALID_NEXT_TOKEN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, tc.call(), tc.kind, tc.reason) })
	}
}
