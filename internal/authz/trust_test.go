package authz

import (
	"context"
	"testing"
)

// TestAuthorizeTrustPolicy covers sts:AssumeRole, whose resource policy (the
// role's trust policy) must allow even in the role's own account.
func TestAuthorizeTrustPolicy(t *testing.T) {
	target := roleARN(acctA, "deployer")
	trust := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
	}
	const trustStar = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`
	const trustDenyAlice = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctA + `"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::` + acctA + `:user/alice"},"Action":"sts:AssumeRole"}]}`
	const trustService = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"acm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	allowAssume := idPol("assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	userA := "arn:aws:iam::" + acctA + ":user/alice"
	// IAM stores named users and roles by unique ID (21 characters).
	aliceID := user(acctA, "alice").EntityID
	opsSession := session(acctA, "ops", "s1")
	opsSession.EntityID = "AROAOPS00000000000000"
	cases := []struct {
		name     string
		caller   *Caller
		identity []Policy
		trust    string
		want     Reason
	}{
		{"same account, trust names the user, no identity policy", user(acctA, "alice"), nil, trust(userA), AllowedByResource},
		{"same account, trust names the account, no identity policy", user(acctA, "alice"), nil, trust(acctA), DeniedNoIdentityAllow},
		{"same account, trust names the account, identity allows", user(acctA, "alice"), []Policy{allowAssume}, trust(acctA), AllowedByBoth},
		{"same account, trust names another user, identity allows", user(acctA, "alice"), []Policy{allowAssume}, trust("arn:aws:iam::" + acctA + ":user/bob"), DeniedNoResourceAllow},
		{"same account, trust allows only a service, identity allows", user(acctA, "alice"), []Policy{allowAssume}, trustService, DeniedNoResourceAllow},
		{"same account, trust star, no identity policy", user(acctA, "alice"), nil, trustStar, AllowedByResource},
		{"same account, trust denies the user", user(acctA, "alice"), []Policy{allowAssume}, trustDenyAlice, DeniedExplicitResource},
		{"cross account, trust names the account, identity allows", user(acctB, "bob"), []Policy{allowAssume}, trust(acctB), AllowedByBoth},
		{"cross account, trust names the account, no identity policy", user(acctB, "bob"), nil, trust(acctB), DeniedNoIdentityAllow},
		{"cross account, trust names the user, no identity policy", user(acctB, "bob"), nil, trust("arn:aws:iam::" + acctB + ":user/bob"), DeniedNoIdentityAllow},
		{"cross account, trust names another account", user(acctB, "bob"), []Policy{allowAssume}, trust(acctC), DeniedNoResourceAllow},
		{"role session, trust names its role", session(acctA, "ops", "s1"), nil, trust(roleARN(acctA, "ops")), AllowedByResource},
		{"service principal named by the trust", service("acm.amazonaws.com"), nil, trustService, AllowedByResource},
		{"same account, trust names the user by unique ID", user(acctA, "alice"), nil, trust(aliceID), AllowedByResource},
		{"recreated user: the trust keeps the old user's ID", user(acctA, "alice"), []Policy{allowAssume}, trust("AIDAOLDAL" + acctA), DeniedNoResourceAllow},
		{"role session, trust names its role by unique ID", opsSession, nil, trust(opsSession.EntityID), AllowedByResource},
		{"service principal not named", service("ram.amazonaws.com"), nil, trustService, DeniedNoResourceAllow},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eng, _ := newTestEngine(&fakeIDs{pols: tc.identity}, nil)
			d, err := eng.Authorize(context.Background(), &Request{
				Caller: tc.caller, Action: "sts:AssumeRole", Resource: target, ResourceAccount: acctA,
				ResourcePolicy: &Policy{Kind: TrustPolicy, Name: target, Document: tc.trust},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Unparsed) > 0 {
				t.Fatalf("trust policy did not parse: %+v", d.Unparsed)
			}
			checkDecision(t, d, tc.want, "")
		})
	}
}
