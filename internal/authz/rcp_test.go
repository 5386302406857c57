package authz

import (
	"context"
	"testing"
)

func rcpPol(name, d string) Policy {
	return Policy{Kind: ResourceControlPolicy, Name: name, Document: d}
}

// TestAuthorizeRCP: RCPs of the resource owner bound sts:AssumeRole on its
// roles, level by level, with AWS's exemptions.
func TestAuthorizeRCP(t *testing.T) {
	full := rcpPol("p-RCPFullAWSAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
	denyAssume := rcpPol("p-denyassume", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`)
	denyOutsiders := rcpPol("p-perimeter", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:*","Resource":"*",
		"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"`+orgID+`"}}}]}`)
	denyEverything := rcpPol("p-all", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)
	allowAll := idPol("all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	denyIdentity := idPol("deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`)
	trustAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + acctA + `","` + acctB + `","` + acctD + `","` + acctM + `"]},"Action":"sts:AssumeRole"},
		{"Effect":"Allow","Principal":{"Service":"acm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	slr := session(acctB, "AWSServiceRoleForACM", "acm")
	slr.PrincipalARN = "arn:aws:iam::" + acctB + ":role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForACM"
	slr.ServiceLinked = true // set from the stored role, never from the ARN

	withRCPs := func(acct string, levels ...[]Policy) func(*fakeOrgs) {
		return func(f *fakeOrgs) {
			oc := f.accts[acct]
			oc.RCPLevels = levels
			f.accts[acct] = oc
		}
	}
	cases := []struct {
		name     string
		caller   *Caller
		identity []Policy
		action   string // default sts:AssumeRole
		owner    string // default A
		resource string // default a role of owner
		org      func(*fakeOrgs)
		want     Reason
		msg      string
	}{
		{name: "RCPs not enabled", caller: user(acctB, "bob"), identity: []Policy{allowAll}, want: AllowedByBoth},
		{name: "RCPFullAWSAccess at every level", caller: user(acctB, "bob"), identity: []Policy{allowAll},
			org: withRCPs(acctA, []Policy{full}, []Policy{full}), want: AllowedByBoth},
		{name: "a deny at the root", caller: user(acctB, "bob"), identity: []Policy{allowAll},
			org: withRCPs(acctA, []Policy{full, denyAssume}, []Policy{full}), want: DeniedExplicitRCP,
			msg: "User: arn:aws:iam::" + acctB + ":user/bob is not authorized to perform: sts:AssumeRole on resource: " + roleARN(acctA, "target") + " with an explicit deny in a resource control policy"},
		{name: "a level without an allow", caller: user(acctB, "bob"), identity: []Policy{allowAll},
			org: withRCPs(acctA, []Policy{full}, []Policy{}), want: DeniedNoRCPAllow,
			msg: "User: arn:aws:iam::" + acctB + ":user/bob is not authorized to perform: sts:AssumeRole on resource: " + roleARN(acctA, "target") + " because no resource control policy allows the sts:AssumeRole action"},
		{name: "same-account caller is bound too", caller: root(acctA),
			org: withRCPs(acctA, []Policy{full, denyAssume}, []Policy{full}), want: DeniedExplicitRCP},
		{name: "the caller's own RCPs do not matter", caller: user(acctB, "bob"), identity: []Policy{allowAll},
			org: withRCPs(acctB, []Policy{full, denyAssume}), want: AllowedByBoth},
		{name: "perimeter: a principal of the organization passes", caller: user(acctB, "bob"), identity: []Policy{allowAll},
			org: withRCPs(acctA, []Policy{full, denyOutsiders}, []Policy{full}), want: AllowedByBoth},
		{name: "perimeter: an outsider is denied", caller: user(acctD, "dave"), identity: []Policy{allowAll},
			org: withRCPs(acctA, []Policy{full, denyOutsiders}, []Policy{full}), want: DeniedExplicitRCP},
		{name: "management account's resources are exempt", caller: user(acctB, "bob"), identity: []Policy{allowAll}, owner: acctM,
			org: withRCPs(acctM, []Policy{denyAssume}), want: AllowedByBoth},
		{name: "service-linked role callers are exempt", caller: slr, identity: []Policy{allowAll},
			org: withRCPs(acctA, []Policy{full, denyAssume}, []Policy{full}), want: AllowedByBoth},
		{name: "assuming a service-linked role is exempt", caller: user(acctB, "bob"), identity: []Policy{allowAll},
			resource: "arn:aws:iam::" + acctA + ":role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForACM",
			org:      withRCPs(acctA, []Policy{full, denyAssume}, []Policy{full}), want: AllowedByBoth},
		{name: "service principals are not bound", caller: service("acm.amazonaws.com"),
			org: withRCPs(acctA, []Policy{full, denyAssume}, []Policy{full}), want: AllowedByResource},
		{name: "services outside AWS's RCP list are not bound", caller: user(acctA, "alice"), identity: []Policy{allowAll},
			action: actIssue, resource: caARN, org: withRCPs(acctA, []Policy{denyEverything}), want: AllowedByIdentity},
		{name: "an identity deny keeps its reason", caller: user(acctB, "bob"), identity: []Policy{allowAll, denyIdentity},
			org: withRCPs(acctA, []Policy{full, denyAssume}, []Policy{full}), want: DeniedExplicitIdentity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orgs := worldOrgs()
			if tc.org != nil {
				tc.org(orgs)
			}
			eng, _ := newTestEngine(&fakeIDs{pols: tc.identity}, orgs)
			owner := cmpOr(tc.owner, acctA)
			res := cmpOr(tc.resource, roleARN(owner, "target"))
			req := &Request{Caller: tc.caller, Action: cmpOr(tc.action, "sts:AssumeRole"), Resource: res, ResourceAccount: owner}
			if req.Action == "sts:AssumeRole" {
				req.ResourcePolicy = &Policy{Kind: TrustPolicy, Name: res, Document: trustAll}
			}
			d, err := eng.Authorize(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Unparsed) > 0 {
				t.Fatalf("unparsed: %+v", d.Unparsed)
			}
			if d.Reason != tc.want || d.Allowed != (tc.want <= AllowedAsRoot) {
				t.Fatalf("decision = %v/%v (%q), want %v", d.Allowed, d.Reason, d.Message, tc.want)
			}
			if tc.msg != "" && d.Message != tc.msg {
				t.Errorf("message\n got %q\nwant %q", d.Message, tc.msg)
			}
			if tc.want == DeniedExplicitRCP && (d.DecidingDeny == nil || d.DecidingDeny.Kind != ResourceControlPolicy) {
				t.Errorf("DecidingDeny = %+v", d.DecidingDeny)
			}
		})
	}
}
