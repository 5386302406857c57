package iam

import (
	"testing"

	"github.com/openpca/openpca/internal/authz"
)

// TestGetSessionTokenCredentialsLimits checks AWS's limits on credentials
// from GetSessionToken without MFA: no IAM operation (InvalidClientTokenId),
// no STS operation but AssumeRole and GetCallerIdentity.
func TestGetSessionTokenCredentialsLimits(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	bob := e.user(acctA, "bob", allowDoc("*", "*"))
	must(e.svc.CreateRole(e.ctx, root, &CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAccount(acctA)}))
	must(e.svc.PutRolePolicy(e.ctx, root, &PutRolePolicyInput{RoleName: "r", PolicyName: "p", PolicyDocument: allowDoc("*", "*")}))
	session := func(c *authz.Caller) *authz.Caller {
		out := must(e.svc.GetSessionToken(e.ctx, c, &GetSessionTokenInput{}))
		rk := must(e.st.LookupCredential(e.ctx, out.Credentials.AccessKeyId))
		if !rk.GetSessionToken {
			t.Fatalf("resolved key of a GetSessionToken session is not marked: %+v", rk)
		}
		return e.caller(out.Credentials.AccessKeyId)
	}
	userSession, rootSession := session(bob), session(root)
	role := must(e.svc.AssumeRole(e.ctx, bob, &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acctA + ":role/r", RoleSessionName: "s"}))
	if rk := must(e.st.LookupCredential(e.ctx, role.Credentials.AccessKeyId)); rk.GetSessionToken {
		t.Fatalf("AssumeRole session marked as GetSessionToken")
	}
	roleSession := e.caller(role.Credentials.AccessKeyId)

	type call func(c *authz.Caller) error
	listUsers := func(c *authz.Caller) error { _, err := e.svc.ListUsers(e.ctx, c, &ListUsersInput{}); return err }
	getSelf := func(c *authz.Caller) error { _, err := e.svc.GetUser(e.ctx, c, &GetUserInput{}); return err }
	createUser := func(c *authz.Caller) error {
		_, err := e.svc.CreateUser(e.ctx, c, &CreateUserInput{UserName: "eve"})
		return err
	}
	simulate := func(c *authz.Caller) error {
		_, err := e.svc.SimulateCustomPolicy(e.ctx, c, &SimulateCustomPolicyInput{PolicyInputList: []string{allowDoc("*", "*")}, ActionNames: []string{"iam:GetUser"}})
		return err
	}
	whoAmI := func(c *authz.Caller) error {
		_, err := e.svc.GetCallerIdentity(e.ctx, c, &GetCallerIdentityInput{})
		return err
	}
	assume := func(c *authz.Caller) error {
		_, err := e.svc.AssumeRole(e.ctx, c, &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acctA + ":role/r", RoleSessionName: "t"})
		return err
	}
	again := func(c *authz.Caller) error {
		_, err := e.svc.GetSessionToken(e.ctx, c, &GetSessionTokenInput{})
		return err
	}
	tests := []struct {
		name   string
		caller *authz.Caller
		call   call
		want   ErrorKind
	}{
		{"user session ListUsers", userSession, listUsers, InvalidClientTokenId},
		{"user session GetUser self", userSession, getSelf, InvalidClientTokenId},
		{"user session CreateUser", userSession, createUser, InvalidClientTokenId},
		{"user session SimulateCustomPolicy", userSession, simulate, InvalidClientTokenId},
		{"root session ListUsers", rootSession, listUsers, InvalidClientTokenId},
		{"user session GetCallerIdentity", userSession, whoAmI, 0},
		{"user session AssumeRole", userSession, assume, 0},
		{"user session GetSessionToken", userSession, again, AccessDenied},
		{"long-term key ListUsers", bob, listUsers, 0},
		{"role session ListUsers", roleSession, listUsers, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(tc.caller), tc.want) })
	}
}
