package authz

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// decisionCase drives one request through Authorize with fake sources.
type decisionCase struct {
	name     string
	caller   *Caller
	action   string // default acm-pca:IssueCertificate
	resource string // default caARN
	owner    string // ResourceAccount; default A
	resPol   string // CA policy; "" none
	ctx      map[string][]string
	rtags    map[string]string // resource tags
	identity []Policy
	org      func(*fakeOrgs) // adjusts the world's organization
	noOrgs   bool            // engine without OrgSource
	want     Reason
	msg      string   // exact denial message, when given
	missing  []string // must appear in MissingContextValues
	misses   []string // condition keys that must appear in ConditionMisses
}

func tmpl(arn string) map[string][]string { return map[string][]string{"acm-pca:TemplateArn": {arn}} }

func runDecisionCases(t *testing.T, cases []decisionCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids := &fakeIDs{pols: tc.identity}
			var eng *Engine
			if tc.noOrgs {
				eng, _ = newTestEngine(ids, nil)
			} else {
				orgs := worldOrgs()
				if tc.org != nil {
					tc.org(orgs)
				}
				eng, _ = newTestEngine(ids, orgs)
			}
			req := &Request{
				Caller:          tc.caller,
				Action:          cmpOr(tc.action, actIssue),
				Resource:        cmpOr(tc.resource, caARN),
				ResourceAccount: cmpOr(tc.owner, acctA),
				ResourceTags:    tc.rtags,
				Context:         tc.ctx,
			}
			if tc.resPol != "" {
				req.ResourcePolicy = &Policy{Kind: ResourcePolicy, Name: req.Resource, Document: tc.resPol}
			}
			d, err := eng.Authorize(context.Background(), req)
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			checkDecision(t, d, tc.want, tc.msg)
			if len(d.Unparsed) > 0 {
				t.Errorf("unexpected unparsed policies: %+v", d.Unparsed)
			}
			for _, k := range tc.missing {
				if !slices.Contains(d.MissingContextValues, k) {
					t.Errorf("MissingContextValues = %q, want it to contain %q", d.MissingContextValues, k)
				}
			}
			for _, k := range tc.misses {
				if !slices.ContainsFunc(d.ConditionMisses, func(m ConditionMissIn) bool { return m.Miss.Key == k }) {
					t.Errorf("ConditionMisses = %+v, want one on %q", d.ConditionMisses, k)
				}
			}
			typ := tc.caller.Type
			if called := ids.calls > 0; called != (typ == TypeUser || typ == TypeAssumedRole) {
				t.Errorf("IdentitySource called %d times for a %s", ids.calls, typ)
			}
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func checkDecision(t *testing.T, d *Decision, want Reason, msg string) {
	t.Helper()
	wantAllowed := want <= AllowedAsRoot
	if d.Allowed != wantAllowed || d.Reason != want {
		t.Fatalf("decision = %v/%v (%q), want %v/%v; matched %+v; misses %+v",
			d.Allowed, d.Reason, d.Message, wantAllowed, want, d.Matched, d.ConditionMisses)
	}
	if d.Allowed && d.Message != "" {
		t.Errorf("allowed decision has message %q", d.Message)
	}
	if !d.Allowed && d.Message == "" {
		t.Errorf("denial without message")
	}
	if msg != "" && d.Message != msg {
		t.Errorf("message\n got %q\nwant %q", d.Message, msg)
	}
	explicit := want == DeniedExplicitIdentity || want == DeniedExplicitResource || want == DeniedExplicitSCP ||
		want == DeniedExplicitSession || want == DeniedExplicitBoundary
	if explicit != (d.DecidingDeny != nil) {
		t.Errorf("DecidingDeny = %+v for reason %v", d.DecidingDeny, want)
	}
	if d.DecidingDeny != nil && !slices.Contains(d.Matched, *d.DecidingDeny) {
		t.Errorf("DecidingDeny %+v not among Matched %+v", *d.DecidingDeny, d.Matched)
	}
}

const (
	userBARN = "arn:aws:iam::" + acctB + ":user/bob"
	userAARN = "arn:aws:iam::" + acctA + ":user/alice"
)

func denied(arn, action, tail string) string {
	return "User: " + arn + " is not authorized to perform: " + action + " on resource: " + caARN + " " + tail
}

func TestAuthorizeSameAccount(t *testing.T) {
	runDecisionCases(t, []decisionCase{
		{name: "identity allows, no CA policy (10b row 7)", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowAllPCA)}, want: AllowedByIdentity},
		{name: "nothing allows", caller: user(acctA, "alice"), want: DeniedNoIdentityAllow,
			msg: denied(userAARN, actIssue, "because no identity-based policy allows the acm-pca:IssueCertificate action")},
		{name: "identity and resource both allow", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowAllPCA)}, resPol: grant(userAARN), want: AllowedByBoth},
		// Naming an account delegates to its identity policies, even in the
		// resource's own account: the identity side decides.
		{name: "resource names the account, identity allows", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowAllPCA)}, resPol: grant(acctA), want: AllowedByIdentity},
		{name: "resource names the user, no identity policy", caller: user(acctA, "alice"),
			resPol: grant(userAARN), want: AllowedByResource},
		{name: "resource names the account, no identity policy", caller: user(acctA, "alice"),
			resPol: grant(acctA), want: DeniedNoIdentityAllow},
		{name: "resource names the root ARN, no identity policy", caller: user(acctA, "alice"),
			resPol: grant("arn:aws:iam::" + acctA + ":root"), want: DeniedNoIdentityAllow},
		{name: "resource names another user", caller: user(acctA, "alice"),
			resPol: grant("arn:aws:iam::" + acctA + ":user/carol"), want: DeniedNoIdentityAllow},
		{name: "identity allows another action only", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowReadPCA)}, want: DeniedNoIdentityAllow},
		{name: "identity allows the action on another CA", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowIssueOther)}, want: DeniedNoIdentityAllow},
		{name: "identity allows the action on this CA", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowIssueCA)}, want: AllowedByIdentity},
		{name: "explicit identity deny beats resource allow", caller: user(acctA, "alice"),
			identity: []Policy{idPol("allow", allowAllPCA), idPol("deny", denyIssue)}, resPol: grant(userAARN),
			want: DeniedExplicitIdentity,
			msg:  denied(userAARN, actIssue, "with an explicit deny in an identity-based policy")},
		{name: "explicit resource deny beats identity allow", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowAllPCA)}, resPol: denyIssueToA, want: DeniedExplicitResource,
			msg: denied(userAARN, actIssue, "with an explicit deny in a resource-based policy")},
		{name: "identity deny beats resource deny", caller: user(acctA, "alice"),
			identity: []Policy{idPol("deny", denyIssue)}, resPol: denyIssueToA, want: DeniedExplicitIdentity},
		{name: "deny on insecure transport", caller: func() *Caller { c := user(acctA, "alice"); c.SecureTransport = false; return c }(),
			identity: []Policy{idPol("p", allowAllPCA), idPol("tls", denyNotTLS)}, want: DeniedExplicitIdentity},
		{name: "secure transport passes the TLS deny", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowAllPCA), idPol("tls", denyNotTLS)}, want: AllowedByIdentity},
		{name: "policy variable aws:username matches own user", caller: user(acctA, "alice"),
			action: "iam:GetUser", resource: userAARN, identity: []Policy{idPol("p", allowOwnUser)}, want: AllowedByIdentity},
		{name: "policy variable aws:username rejects other user", caller: user(acctA, "alice"),
			action: "iam:GetUser", resource: "arn:aws:iam::" + acctA + ":user/carol",
			identity: []Policy{idPol("p", allowOwnUser)}, want: DeniedNoIdentityAllow},
		{name: "resource tag equals principal tag", caller: func() *Caller {
			c := user(acctA, "alice")
			c.Tags = map[string]string{"team": "pki"}
			return c
		}(), rtags: map[string]string{"Team": "pki"}, identity: []Policy{idPol("p", allowTeamTag)}, want: AllowedByIdentity},
		{name: "resource tag differs from principal tag", caller: func() *Caller {
			c := user(acctA, "alice")
			c.Tags = map[string]string{"team": "web"}
			return c
		}(), rtags: map[string]string{"Team": "pki"}, identity: []Policy{idPol("p", allowTeamTag)}, want: DeniedNoIdentityAllow,
			misses: []string{"aws:ResourceTag/team"}},
		{name: "untagged resource fails the tag condition", caller: func() *Caller {
			c := user(acctA, "alice")
			c.Tags = map[string]string{"team": "pki"}
			return c
		}(), identity: []Policy{idPol("p", allowTeamTag)}, want: DeniedNoIdentityAllow, missing: []string{"aws:ResourceTag/team"}},
	})
}

func TestAuthorizeRoot(t *testing.T) {
	rootB := "arn:aws:iam::" + acctB + ":root"
	runDecisionCases(t, []decisionCase{
		{name: "root in own account, no policies", caller: root(acctA), want: AllowedAsRoot},
		{name: "root in own account, any action", caller: root(acctA), action: "acm-pca:DeleteCertificateAuthority", want: AllowedAsRoot},
		{name: "root in own account, resource deny", caller: root(acctA), resPol: denyIssueToA, want: DeniedExplicitResource,
			msg: denied("arn:aws:iam::"+acctA+":root", actIssue, "with an explicit deny in a resource-based policy")},
		{name: "root cross-account with account share", caller: root(acctB), resPol: accountShare(acctB), want: AllowedByBoth},
		{name: "root cross-account without CA policy", caller: root(acctB), want: DeniedNoResourceAllow,
			msg: denied(rootB, actIssue, "because no resource-based policy allows the acm-pca:IssueCertificate action")},
		{name: "root cross-account, share names a user only", caller: root(acctB), resPol: grant(userBARN), want: DeniedNoResourceAllow},
		{name: "root of member account under SCP deny", caller: root(acctA), org: withSCPs(acctA, scpPol("full", scpFullAccess), scpPol("deny", scpDenyIssue)),
			want: DeniedExplicitSCP},
	})
}

// The acceptance matrix of the reference, rows 1–8, at the authz level.
func TestAuthorizeAcceptanceRows(t *testing.T) {
	bobAllowAll := []Policy{idPol("arn:aws:iam::"+acctB+":policy/pca-all", allowAllPCA)}
	runDecisionCases(t, []decisionCase{
		{name: "row 1: no CA policy", caller: user(acctB, "bob"), identity: bobAllowAll, want: DeniedNoResourceAllow,
			msg: denied(userBARN, actIssue, "because no resource-based policy allows the acm-pca:IssueCertificate action")},
		{name: "row 2: account share, TemplateArn omitted (defaulted)", caller: user(acctB, "bob"), identity: bobAllowAll,
			resPol: accountShare(acctB), want: AllowedByBoth},
		{name: "row 2: account share, default TemplateArn given", caller: user(acctB, "bob"), identity: bobAllowAll,
			resPol: accountShare(acctB), ctx: tmpl(tmplDefault), want: AllowedByBoth},
		{name: "row 2: account share as root ARN", caller: user(acctB, "bob"), identity: bobAllowAll,
			resPol: accountShare("arn:aws:iam::" + acctB + ":root"), want: AllowedByBoth},
		{name: "row 2: GetCertificate by B", caller: user(acctB, "bob"), identity: bobAllowAll,
			action: actGetCert, resPol: accountShare(acctB), want: AllowedByBoth},
		{name: "row 3: subordinate CA template", caller: user(acctB, "bob"), identity: bobAllowAll,
			resPol: accountShare(acctB), ctx: tmpl(tmplSubCA), want: DeniedNoResourceAllow,
			msg:    denied(userBARN, actIssue, "because no resource-based policy allows the acm-pca:IssueCertificate action"),
			misses: []string{"acm-pca:TemplateArn"}},
		{name: "row 4: no identity permission", caller: user(acctB, "bob"), resPol: accountShare(acctB),
			want: DeniedNoIdentityAllow,
			msg:  denied(userBARN, actIssue, "because no identity-based policy allows the acm-pca:IssueCertificate action")},
		{name: "row 5: identity allow plus explicit deny", caller: user(acctB, "bob"),
			identity: append([]Policy{idPol("deny", denyIssue)}, bobAllowAll...), resPol: accountShare(acctB),
			want: DeniedExplicitIdentity,
			msg:  denied(userBARN, actIssue, "with an explicit deny in an identity-based policy")},
		{name: "row 6: GetPolicy", caller: user(acctB, "bob"), identity: bobAllowAll, action: "acm-pca:GetPolicy",
			resPol: accountShare(acctB), want: DeniedNoResourceAllow,
			msg: denied(userBARN, "acm-pca:GetPolicy", "because no resource-based policy allows the acm-pca:GetPolicy action")},
		{name: "row 6: UpdateCertificateAuthority", caller: user(acctB, "bob"), identity: bobAllowAll,
			action: "acm-pca:UpdateCertificateAuthority", resPol: accountShare(acctB), want: DeniedNoResourceAllow},
		{name: "row 6: GetCertificateAuthorityCsr", caller: user(acctB, "bob"), identity: bobAllowAll,
			action: "acm-pca:GetCertificateAuthorityCsr", resPol: accountShare(acctB), want: DeniedNoResourceAllow},
		{name: "row 7: same-account identity only", caller: user(acctA, "alice"),
			identity: []Policy{idPol("p", allowAllPCA)}, want: AllowedByIdentity},
		{name: "row 8: org share, account C in the org", caller: user(acctC, "carol"), identity: bobAllowAll,
			resPol: orgShare, want: AllowedByBoth},
		{name: "row 8: org share, account D outside", caller: user(acctD, "dave"), identity: bobAllowAll,
			resPol: orgShare, want: DeniedNoResourceAllow,
			msg:     denied("arn:aws:iam::"+acctD+":user/dave", actIssue, "because no resource-based policy allows the acm-pca:IssueCertificate action"),
			missing: []string{"aws:PrincipalOrgID"}},
	})
}

func TestAuthorizeCrossAccount(t *testing.T) {
	allow := []Policy{idPol("p", allowAllPCA)}
	runDecisionCases(t, []decisionCase{
		{name: "neither side allows, identity reported", caller: user(acctB, "bob"), want: DeniedNoIdentityAllow,
			msg: denied(userBARN, actIssue, "because no identity-based policy allows the acm-pca:IssueCertificate action")},
		{name: "resource deny naming the account", caller: user(acctB, "bob"), identity: allow, resPol: denyIssueToB,
			want: DeniedExplicitResource, msg: denied(userBARN, actIssue, "with an explicit deny in a resource-based policy")},
		{name: "resource deny leaves other actions", caller: user(acctB, "bob"), identity: allow, resPol: denyIssueToB,
			action: actDescribe, want: AllowedByBoth},
		{name: "share names the user directly", caller: user(acctB, "bob"), identity: allow, resPol: grant(userBARN), want: AllowedByBoth},
		{name: "share names the user, no identity", caller: user(acctB, "bob"), resPol: grant(userBARN), want: DeniedNoIdentityAllow},
		{name: "share for another account", caller: user(acctB, "bob"), identity: allow, resPol: accountShare(acctC), want: DeniedNoResourceAllow},
		{name: "org share, member without identity policy", caller: user(acctB, "bob"), resPol: orgShare, want: DeniedNoIdentityAllow},
		{name: "org share, member with identity policy", caller: user(acctB, "bob"), identity: allow, resPol: orgShare, want: AllowedByBoth},
		{name: "org share, no OrgSource", caller: user(acctB, "bob"), identity: allow, resPol: orgShare, noOrgs: true,
			want: DeniedNoResourceAllow, missing: []string{"aws:PrincipalOrgID"}},
		{name: "org share, owning account's user without identity policy", caller: user(acctA, "alice"), resPol: orgShare, want: AllowedByResource},
		{name: "org share, owning account's role session without identity policy", caller: session(acctA, "app", "s1"),
			resPol: orgShare, want: AllowedByResource},
		{name: "org share, non-default template", caller: user(acctB, "bob"), identity: allow, resPol: orgShare,
			ctx: tmpl(tmplSubCA), want: DeniedNoResourceAllow, misses: []string{"acm-pca:TemplateArn"}},
		{name: "OU share, account directly in the OU", caller: user(acctB, "bob"), identity: allow, resPol: ouShare, want: AllowedByBoth},
		{name: "OU share, account in a child OU", caller: user(acctC, "carol"), identity: allow, resPol: ouShare, want: AllowedByBoth},
		{name: "OU share, account in the root only", caller: user(acctF, "frank"), identity: allow, resPol: ouShare,
			want: DeniedNoResourceAllow, misses: []string{"aws:PrincipalOrgPaths"}},
		{name: "OU share, account outside the org", caller: user(acctD, "dave"), identity: allow, resPol: ouShare,
			want: DeniedNoResourceAllow, missing: []string{"aws:PrincipalOrgPaths"}},
		{name: "anonymous caller, org share", caller: &Caller{Principal: Principal{Type: TypeAnonymous}},
			resPol: orgShare, want: DeniedNoResourceAllow,
			msg: denied("anonymous", actIssue, "because no resource-based policy allows the acm-pca:IssueCertificate action")},
	})
}

func TestAuthorizeRoleSessions(t *testing.T) {
	allow := []Policy{idPol("role/app/inline/all", allowAllPCA)}
	sessA := sessionARN(acctA, "app", "s1")
	sessB := sessionARN(acctB, "app", "s1")
	restrictRead := sessPol("arn:aws:iam::"+acctA+":policy/read", allowReadPCA)
	withInline := func(c *Caller, d string) *Caller { c.SessionPolicy = d; return c }
	runDecisionCases(t, []decisionCase{
		{name: "cross-account, matched by role ARN", caller: session(acctB, "app", "s1"), identity: allow,
			resPol: grant(roleARN(acctB, "app")), want: AllowedByBoth},
		{name: "cross-account, matched by session ARN", caller: session(acctB, "app", "s1"), identity: allow,
			resPol: grant(sessB), want: AllowedByBoth},
		{name: "cross-account, other session of the role", caller: session(acctB, "app", "s2"), identity: allow,
			resPol: grant(sessB), want: DeniedNoResourceAllow,
			msg: "User: " + sessionARN(acctB, "app", "s2") + " is not authorized to perform: acm-pca:IssueCertificate on resource: " + caARN +
				" because no resource-based policy allows the acm-pca:IssueCertificate action"},
		{name: "cross-account, session policy restricts", caller: withInline(session(acctB, "app", "s1"), allowReadPCA),
			identity: allow, resPol: accountShare(acctB), want: DeniedNoSessionAllow,
			msg: "User: " + sessB + " is not authorized to perform: acm-pca:IssueCertificate on resource: " + caARN +
				" because no session policy allows the acm-pca:IssueCertificate action"},
		{name: "same account, identity allows", caller: session(acctA, "app", "s1"), identity: allow, want: AllowedByIdentity},
		{name: "same account, nothing allows", caller: session(acctA, "app", "s1"), want: DeniedNoIdentityAllow,
			msg: "User: " + sessA + " is not authorized to perform: acm-pca:IssueCertificate on resource: " + caARN +
				" because no identity-based policy allows the acm-pca:IssueCertificate action"},
		{name: "same account, role ARN grant, no identity", caller: session(acctA, "app", "s1"),
			resPol: grant(roleARN(acctA, "app")), want: AllowedByResource},
		{name: "same account, role ARN grant limited by session policy", caller: withInline(session(acctA, "app", "s1"), allowReadPCA),
			resPol: grant(roleARN(acctA, "app")), want: DeniedNoSessionAllow},
		{name: "same account, account grant limited by session policy", caller: withInline(session(acctA, "app", "s1"), allowReadPCA),
			resPol: grant(acctA), want: DeniedNoSessionAllow},
		{name: "same account, session ARN grant not limited by session policy", caller: withInline(session(acctA, "app", "s1"), allowReadPCA),
			resPol: grant(sessA), want: AllowedByResource},
		{name: "session policy allows within identity", caller: withInline(session(acctA, "app", "s1"), allowAllPCA),
			identity: allow, want: AllowedByIdentity},
		{name: "session policy restricts identity", caller: withInline(session(acctA, "app", "s1"), allowReadPCA),
			identity: allow, want: DeniedNoSessionAllow},
		{name: "session policy allows a read", caller: withInline(session(acctA, "app", "s1"), allowReadPCA),
			identity: allow, action: actGetCert, want: AllowedByIdentity},
		{name: "session policy alone grants nothing", caller: withInline(session(acctA, "app", "s1"), allowAllPCA),
			want: DeniedNoIdentityAllow},
		{name: "session policy explicit deny", caller: withInline(session(acctA, "app", "s1"), denyIssue),
			identity: allow, want: DeniedExplicitSession,
			msg: "User: " + sessA + " is not authorized to perform: acm-pca:IssueCertificate on resource: " + caARN +
				" with an explicit deny in a session policy"},
		{name: "managed session policy from the source restricts", caller: session(acctA, "app", "s1"),
			identity: append([]Policy{restrictRead}, allow...), want: DeniedNoSessionAllow},
		{name: "managed and inline session policies are a union", caller: withInline(session(acctA, "app", "s1"), allowIssueCA),
			identity: append([]Policy{restrictRead}, allow...), want: AllowedByIdentity},
		{name: "identity deny reported before session deny", caller: withInline(session(acctA, "app", "s1"), denyIssue),
			identity: append([]Policy{idPol("deny", denyIssue)}, allow...), want: DeniedExplicitIdentity},
	})
}

func TestAuthorizeBoundary(t *testing.T) {
	allow := []Policy{idPol("p", allowAllPCA)}
	withBnd := func(extra ...Policy) []Policy { return append(append([]Policy{}, extra...), allow...) }
	runDecisionCases(t, []decisionCase{
		{name: "boundary allows", caller: user(acctA, "alice"), identity: withBnd(bndPol(allowAllPCA)), want: AllowedByIdentity},
		{name: "boundary does not allow", caller: user(acctA, "alice"), identity: withBnd(bndPol(allowReadPCA)),
			want: DeniedNoBoundaryAllow,
			msg:  denied(userAARN, actIssue, "because no permissions boundary allows the acm-pca:IssueCertificate action")},
		{name: "boundary explicit deny", caller: user(acctA, "alice"), identity: withBnd(bndPol(denyIssue)),
			want: DeniedExplicitBoundary,
			msg:  denied(userAARN, actIssue, "with an explicit deny in a permissions boundary")},
		{name: "boundary deny reported before resource deny", caller: user(acctA, "alice"), identity: withBnd(bndPol(denyIssue)),
			resPol: denyIssueToA, want: DeniedExplicitBoundary},
		{name: "user ARN grant not limited by boundary", caller: user(acctA, "alice"),
			identity: []Policy{bndPol(allowReadPCA)}, resPol: grant(userAARN), want: AllowedByResource},
		{name: "account grant limited by boundary", caller: user(acctA, "alice"),
			identity: []Policy{bndPol(allowReadPCA)}, resPol: grant(acctA), want: DeniedNoBoundaryAllow},
		{name: "boundary alone grants nothing", caller: user(acctA, "alice"), identity: []Policy{bndPol(allowAllPCA)},
			want: DeniedNoIdentityAllow},
		{name: "cross-account boundary restricts", caller: user(acctB, "bob"),
			identity: withBnd(Policy{Kind: PermissionsBoundary, Name: "b", Document: allowReadPCA}),
			resPol:   accountShare(acctB), want: DeniedNoBoundaryAllow},
		{name: "session policy reported before boundary", caller: func() *Caller {
			c := session(acctA, "app", "s1")
			c.SessionPolicy = allowReadPCA
			return c
		}(), identity: withBnd(bndPol(allowReadPCA)), want: DeniedNoSessionAllow},
	})
}

func TestAuthorizeServicePrincipal(t *testing.T) {
	src := func(acct string) map[string][]string { return map[string][]string{"aws:SourceAccount": {acct}} }
	runDecisionCases(t, []decisionCase{
		{name: "acm with permission and matching source account", caller: service("acm.amazonaws.com"),
			resPol: acmPermission, ctx: src(acctA), want: AllowedByResource},
		{name: "acm GetCertificate via permission", caller: service("acm.amazonaws.com"), action: actGetCert,
			resPol: acmPermission, ctx: src(acctA), want: AllowedByResource},
		{name: "acm action outside the permission", caller: service("acm.amazonaws.com"), action: actDescribe,
			resPol: acmPermission, ctx: src(acctA), want: DeniedNoResourceAllow},
		{name: "acm with another source account", caller: service("acm.amazonaws.com"),
			resPol: acmPermission, ctx: src(acctB), want: DeniedNoResourceAllow, misses: []string{"aws:SourceAccount"}},
		{name: "acm without source account", caller: service("acm.amazonaws.com"),
			resPol: acmPermission, want: DeniedNoResourceAllow, missing: []string{"aws:SourceAccount"},
			msg: denied("acm.amazonaws.com", actIssue, "because no resource-based policy allows the acm-pca:IssueCertificate action")},
		{name: "acm with unconditioned permission", caller: service("acm.amazonaws.com"),
			resPol: acmPermissionNoCond, want: AllowedByResource},
		{name: "acm without any permission", caller: service("acm.amazonaws.com"), want: DeniedNoResourceAllow},
		{name: "acm not covered by an account share", caller: service("acm.amazonaws.com"),
			resPol: accountShare(acctA), ctx: src(acctA), want: DeniedNoResourceAllow},
		{name: "acm not covered by Principal *", caller: service("acm.amazonaws.com"),
			resPol: orgShare, ctx: src(acctA), want: DeniedNoResourceAllow},
		{name: "another service not covered by acm's permission", caller: service("ram.amazonaws.com"),
			resPol: acmPermissionNoCond, want: DeniedNoResourceAllow},
		{name: "SCPs do not bind service principals", caller: service("acm.amazonaws.com"),
			org: withSCPs(acctA, scpPol("deny", scpDenyIssue)), resPol: acmPermissionNoCond, want: AllowedByResource},
	})
}

func TestAuthorizeSCP(t *testing.T) {
	allow := []Policy{idPol("p", allowAllPCA)}
	full := scpPol("p-FullAWSAccess", scpFullAccess)
	runDecisionCases(t, []decisionCase{
		{name: "explicit SCP deny", caller: user(acctA, "alice"), identity: allow,
			org: withSCPs(acctA, full, scpPol("p-deny", scpDenyIssue)), want: DeniedExplicitSCP,
			msg: denied(userAARN, actIssue, "with an explicit deny in a service control policy")},
		{name: "no SCP at all while enabled", caller: user(acctA, "alice"), identity: allow,
			org: withSCPs(acctA), want: DeniedNoSCPAllow,
			msg: denied(userAARN, actIssue, "because no service control policy allows the acm-pca:IssueCertificate action")},
		{name: "SCP allows another service only", caller: user(acctA, "alice"), identity: allow,
			org: withSCPs(acctA, scpPol("iam", scpOnlyIAM)), want: DeniedNoSCPAllow},
		{name: "FullAWSAccess", caller: user(acctA, "alice"), identity: allow,
			org: withSCPs(acctA, full), want: AllowedByIdentity},
		{name: "SCP allow does not replace identity", caller: user(acctA, "alice"),
			org: withSCPs(acctA, full), want: DeniedNoIdentityAllow},
		{name: "SCP also limits same-account resource grants", caller: user(acctA, "alice"), resPol: grant(userAARN),
			org: withSCPs(acctA, scpPol("iam", scpOnlyIAM)), want: DeniedNoSCPAllow},
		{name: "management account exempt", caller: user(acctM, "mallory"), identity: allow, owner: acctM,
			org: withSCPs(acctM, scpPol("p-deny", scpDenyIssue)), want: AllowedByIdentity},
		{name: "cross-account caller bound by its own SCPs", caller: user(acctB, "bob"), identity: allow,
			resPol: accountShare(acctB), org: withSCPs(acctB, full, scpPol("p-deny", scpDenyIssue)), want: DeniedExplicitSCP},
		{name: "owner's SCPs do not bind the caller", caller: user(acctB, "bob"), identity: allow,
			resPol: accountShare(acctB), org: withSCPs(acctA, scpPol("p-deny", scpDenyIssue)), want: AllowedByBoth},
		{name: "SCP deny reported before identity deny", caller: user(acctA, "alice"),
			identity: append([]Policy{idPol("deny", denyIssue)}, allow...),
			org:      withSCPs(acctA, full, scpPol("p-deny", scpDenyIssue)), want: DeniedExplicitSCP},
		{name: "levels: an allow at every level", caller: user(acctA, "alice"), identity: allow,
			org: withSCPLevels(acctA, []Policy{full}, []Policy{full}, []Policy{full}), want: AllowedByIdentity},
		{name: "levels: an OU without an allow denies", caller: user(acctA, "alice"), identity: allow,
			org: withSCPLevels(acctA, []Policy{full}, []Policy{scpPol("iam", scpOnlyIAM)}, []Policy{full}), want: DeniedNoSCPAllow,
			msg: denied(userAARN, actIssue, "because no service control policy allows the acm-pca:IssueCertificate action")},
		{name: "levels: an empty level denies", caller: user(acctA, "alice"), identity: allow,
			org: withSCPLevels(acctA, []Policy{full}, nil), want: DeniedNoSCPAllow},
		{name: "levels: a deny at the account level", caller: user(acctA, "alice"), identity: allow,
			org: withSCPLevels(acctA, []Policy{full}, []Policy{full, scpPol("p-deny", scpDenyIssue)}), want: DeniedExplicitSCP},
		{name: "levels: a deny at the root binds the member's root user", caller: root(acctA),
			org: withSCPLevels(acctA, []Policy{full, scpPol("p-deny", scpDenyIssue)}, []Policy{full}), want: DeniedExplicitSCP},
		{name: "levels replace the flat list", caller: user(acctA, "alice"), identity: allow,
			org: func(f *fakeOrgs) {
				withSCPs(acctA, scpPol("iam", scpOnlyIAM))(f)
				withSCPLevels(acctA, []Policy{full})(f)
			}, want: AllowedByIdentity},
		{name: "levels: management account exempt", caller: user(acctM, "mallory"), identity: allow, owner: acctM,
			org: withSCPLevels(acctM, []Policy{scpPol("p-deny", scpDenyIssue)}), want: AllowedByIdentity},
	})
}

func TestAuthorizeSourceErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("identity source fails", func(t *testing.T) {
		eng, _ := newTestEngine(&fakeIDs{err: errStore}, worldOrgs())
		req := &Request{Caller: user(acctA, "alice"), Action: actIssue, Resource: caARN}
		if _, err := eng.Authorize(ctx, req); !errors.Is(err, errStore) {
			t.Fatalf("Authorize error = %v, want %v", err, errStore)
		}
		err := eng.Check(ctx, req)
		var de *DeniedError
		if !errors.Is(err, errStore) || errors.As(err, &de) {
			t.Fatalf("Check error = %v, want the store error", err)
		}
	})
	t.Run("org source fails", func(t *testing.T) {
		orgs := worldOrgs()
		orgs.err = errStore
		eng, _ := newTestEngine(&fakeIDs{}, orgs)
		req := &Request{Caller: user(acctA, "alice"), Action: actIssue, Resource: caARN}
		if _, err := eng.Authorize(ctx, req); !errors.Is(err, errStore) {
			t.Fatalf("Authorize error = %v, want %v", err, errStore)
		}
		if _, err := eng.Context(ctx, req); !errors.Is(err, errStore) {
			t.Fatalf("Context error = %v, want %v", err, errStore)
		}
	})
	t.Run("no caller", func(t *testing.T) {
		eng, _ := newTestEngine(&fakeIDs{}, nil)
		if _, err := eng.Authorize(ctx, &Request{Action: actIssue}); err == nil {
			t.Fatal("Authorize without caller succeeded")
		}
	})
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	eng, _ := newTestEngine(&fakeIDs{pols: []Policy{idPol("p", allowAllPCA)}}, worldOrgs())
	tests := []struct {
		name    string
		req     *Request
		wantMsg string // "" = allowed
	}{
		{name: "allowed", req: &Request{Caller: user(acctA, "alice"), Action: actIssue, Resource: caARN, ResourceAccount: acctA}},
		{name: "denied cross-account", req: &Request{Caller: user(acctB, "bob"), Action: actIssue, Resource: caARN, ResourceAccount: acctA},
			wantMsg: denied(userBARN, actIssue, "because no resource-based policy allows the acm-pca:IssueCertificate action")},
		{name: "empty ResourceAccount means the caller's", req: &Request{Caller: user(acctB, "bob"), Action: actIssue, Resource: caARN}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := eng.Check(ctx, tc.req)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			var de *DeniedError
			if !errors.As(err, &de) {
				t.Fatalf("Check = %v, want *DeniedError", err)
			}
			if de.Error() != tc.wantMsg || de.Decision.Reason != DeniedNoResourceAllow {
				t.Fatalf("DeniedError = %q (%v), want %q", de.Error(), de.Decision.Reason, tc.wantMsg)
			}
		})
	}
}

// Decisions from many goroutines share the document memo and org cache.
func TestAuthorizeConcurrent(t *testing.T) {
	orgs := worldOrgs()
	eng, clk := newTestEngine(&fakeIDs{pols: []Policy{idPol("p", allowAllPCA)}}, orgs)
	pols := []string{accountShare(acctB), orgShare, ouShare}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 200 {
				req := &Request{
					Caller: user(acctB, "bob"), Action: actIssue, Resource: caARN, ResourceAccount: acctA,
					ResourcePolicy: &Policy{Kind: ResourcePolicy, Name: caARN, Document: pols[(g+i)%len(pols)]},
				}
				d, err := eng.Authorize(context.Background(), req)
				if err == nil && d.Reason != AllowedByBoth {
					err = errors.New(d.Message)
				}
				if err != nil {
					errs <- err
					return
				}
				if i%50 == 0 {
					eng.Invalidate(acctB)
					clk.Advance(DefaultOrgCacheTTL / 3)
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
