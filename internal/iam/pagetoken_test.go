package iam

import (
	"encoding/base64"
	"testing"
)

// TestMarkerBinding checks that a Marker resumes only the listing it was
// issued for: same account, operation and filter, unaltered.
func TestMarkerBinding(t *testing.T) {
	e := newEnv(t)
	for _, acct := range []string{acctA, acctB} {
		for _, n := range []string{"u1", "u2", "u3"} {
			must(e.svc.CreateUser(e.ctx, e.roots[acct], &CreateUserInput{UserName: n}))
		}
		must(e.svc.CreateGroup(e.ctx, e.roots[acct], &CreateGroupInput{GroupName: "g1"}))
		must(e.svc.CreateGroup(e.ctx, e.roots[acct], &CreateGroupInput{GroupName: "g2"}))
	}
	one := 1
	first := must(e.svc.ListUsers(e.ctx, e.roots[acctA], &ListUsersInput{MaxItems: &one}))
	if !first.IsTruncated || first.Marker == "" {
		t.Fatalf("first page = %+v", first)
	}
	groups := must(e.svc.ListGroups(e.ctx, e.roots[acctA], &ListGroupsInput{MaxItems: &one}))
	raw, _ := base64.RawURLEncoding.DecodeString(first.Marker)
	raw[len(raw)-1] ^= 1
	tests := []struct {
		name string
		call func() error
		want ErrorKind
	}{
		{"same listing resumes", func() error {
			out, err := e.svc.ListUsers(e.ctx, e.roots[acctA], &ListUsersInput{Marker: first.Marker})
			if err == nil && (len(out.Users) != 2 || out.Users[0].UserName != "u2") {
				t.Errorf("second page = %+v", out.Users)
			}
			return err
		}, 0},
		{"another account", func() error {
			_, err := e.svc.ListUsers(e.ctx, e.roots[acctB], &ListUsersInput{Marker: first.Marker})
			return err
		}, InvalidInput},
		{"another filter", func() error {
			_, err := e.svc.ListUsers(e.ctx, e.roots[acctA], &ListUsersInput{PathPrefix: "/x/", Marker: first.Marker})
			return err
		}, InvalidInput},
		{"another operation", func() error {
			_, err := e.svc.ListUsers(e.ctx, e.roots[acctA], &ListUsersInput{Marker: groups.Marker})
			return err
		}, InvalidInput},
		{"altered", func() error {
			_, err := e.svc.ListUsers(e.ctx, e.roots[acctA], &ListUsersInput{Marker: base64.RawURLEncoding.EncodeToString(raw)})
			return err
		}, InvalidInput},
		{"forged plain key", func() error {
			_, err := e.svc.ListUsers(e.ctx, e.roots[acctA], &ListUsersInput{Marker: base64.RawURLEncoding.EncodeToString([]byte("u1"))})
			return err
		}, InvalidInput},
		{"not base64", func() error {
			_, err := e.svc.ListUsers(e.ctx, e.roots[acctA], &ListUsersInput{Marker: "!!"})
			return err
		}, InvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), tc.want) })
	}
}
