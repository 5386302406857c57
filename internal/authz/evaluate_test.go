package authz

import (
	"slices"
	"testing"

	"github.com/openpca/openpca/internal/policy"
)

const brokenDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps","Action":"*","Resource":"*"}]}`

func evalContext(kv ...string) *policy.Context {
	c := policy.NewContext()
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i], kv[i+1])
	}
	return c
}

// Cases evaluated directly, as IAM's policy simulator does.
func TestEvaluate(t *testing.T) {
	alice := &user(acctA, "alice").Principal
	bob := &user(acctB, "bob").Principal
	resPol := func(d string) *Policy { return &Policy{Kind: ResourcePolicy, Name: caARN, Document: d} }
	tests := []struct {
		name     string
		ev       Evaluation
		want     Reason
		unparsed []PolicyKind
		matched  []StatementMatch // must all be in Matched
	}{
		{name: "no principal: identity allows",
			ev:   Evaluation{Identity: []Policy{idPol("p", allowAllPCA)}},
			want: AllowedByIdentity},
		{name: "no principal: nothing allows",
			ev:   Evaluation{Identity: []Policy{idPol("p", allowReadPCA)}},
			want: DeniedNoIdentityAllow},
		{name: "no principal: resource policy ignored",
			ev:   Evaluation{Resource: resPol(grant(acctA))},
			want: DeniedNoIdentityAllow},
		{name: "no principal: boundary limits",
			ev:   Evaluation{Identity: []Policy{idPol("p", allowAllPCA)}, Boundary: &Policy{Kind: PermissionsBoundary, Name: "b", Document: allowReadPCA}},
			want: DeniedNoBoundaryAllow},
		{name: "unparseable identity policy contributes nothing",
			ev:       Evaluation{Principal: alice, Identity: []Policy{idPol("broken", brokenDoc), idPol("p", allowAllPCA)}},
			want:     AllowedByIdentity,
			unparsed: []PolicyKind{IdentityPolicy}},
		{name: "unparseable identity deny does not deny",
			ev:       Evaluation{Principal: alice, Identity: []Policy{idPol("broken", brokenDoc)}},
			want:     DeniedNoIdentityAllow,
			unparsed: []PolicyKind{IdentityPolicy}},
		{name: "unparseable resource policy cross-account",
			ev: Evaluation{Principal: bob, ResourceAccount: acctA, Identity: []Policy{idPol("p", allowAllPCA)},
				Resource: resPol(brokenDoc)},
			want:     DeniedNoResourceAllow,
			unparsed: []PolicyKind{ResourcePolicy}},
		{name: "identity document used as resource policy is rejected",
			ev: Evaluation{Principal: bob, ResourceAccount: acctA, Identity: []Policy{idPol("p", allowAllPCA)},
				Resource: resPol(allowAllPCA)},
			want:     DeniedNoResourceAllow,
			unparsed: []PolicyKind{ResourcePolicy}},
		{name: "unparseable boundary denies",
			ev: Evaluation{Principal: alice, Identity: []Policy{idPol("p", allowAllPCA)},
				Boundary: &Policy{Kind: PermissionsBoundary, Name: "b", Document: brokenDoc}},
			want:     DeniedNoBoundaryAllow,
			unparsed: []PolicyKind{PermissionsBoundary}},
		{name: "unparseable session policy denies",
			ev: Evaluation{Principal: alice, Identity: []Policy{idPol("p", allowAllPCA)},
				Session: []Policy{sessPol("s", brokenDoc)}},
			want:     DeniedNoSessionAllow,
			unparsed: []PolicyKind{SessionPolicy}},
		{name: "unparseable SCP allows nothing",
			ev: Evaluation{Principal: alice, Identity: []Policy{idPol("p", allowAllPCA)},
				SCPsEnabled: true, SCPs: []Policy{scpPol("s", brokenDoc)}},
			want:     DeniedNoSCPAllow,
			unparsed: []PolicyKind{ServiceControlPolicy}},
		{name: "SCPs listed but not enabled are ignored",
			ev: Evaluation{Principal: alice, Identity: []Policy{idPol("p", allowAllPCA)},
				SCPs: []Policy{scpPol("deny", scpDenyIssue)}},
			want: AllowedByIdentity},
		{name: "matched statements from every side",
			ev: Evaluation{Principal: bob, ResourceAccount: acctA, Identity: []Policy{idPol("p", allowAllPCA)},
				SCPsEnabled: true, SCPs: []Policy{scpPol("full", scpFullAccess)},
				Resource: resPol(accountShare(acctB))},
			want: AllowedByBoth,
			matched: []StatementMatch{
				{Policy: "p", Kind: IdentityPolicy, Statement: policy.StatementRef{Index: 0, Effect: policy.Allow}},
				{Policy: "full", Kind: ServiceControlPolicy, Statement: policy.StatementRef{Index: 0, Sid: "FullAWSAccess", Effect: policy.Allow}},
				{Policy: caARN, Kind: ResourcePolicy, Statement: policy.StatementRef{Index: 1, Sid: "1", Effect: policy.Allow}},
			}},
		{name: "deciding deny is the SCP statement",
			ev: Evaluation{Principal: alice, Identity: []Policy{idPol("deny", denyIssue)},
				SCPsEnabled: true, SCPs: []Policy{scpPol("full", scpFullAccess), scpPol("no", scpDenyIssue)}},
			want: DeniedExplicitSCP,
			matched: []StatementMatch{
				{Policy: "deny", Kind: IdentityPolicy, Statement: policy.StatementRef{Index: 0, Sid: "NoIssue", Effect: policy.Deny}},
				{Policy: "no", Kind: ServiceControlPolicy, Statement: policy.StatementRef{Index: 0, Sid: "NoIssue", Effect: policy.Deny}},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng, _ := newTestEngine(nil, nil)
			ev := tc.ev
			ev.Action = actIssue
			ev.ResourceARN = caARN
			ev.Context = evalContext("acm-pca:TemplateArn", tmplDefault, "aws:PrincipalAccount", acctB)
			d := eng.Evaluate(&ev)
			checkDecision(t, d, tc.want, "")
			var kinds []PolicyKind
			for _, u := range d.Unparsed {
				if u.Err == nil || u.Policy == "" {
					t.Errorf("unparsed entry without error or name: %+v", u)
				}
				kinds = append(kinds, u.Kind)
			}
			if !slices.Equal(kinds, tc.unparsed) {
				t.Errorf("unparsed kinds = %v, want %v", kinds, tc.unparsed)
			}
			for _, m := range tc.matched {
				if !slices.Contains(d.Matched, m) {
					t.Errorf("Matched = %+v, want it to contain %+v", d.Matched, m)
				}
			}
			if d.Reason == DeniedExplicitSCP && d.DecidingDeny.Kind != ServiceControlPolicy {
				t.Errorf("DecidingDeny = %+v, want the SCP", d.DecidingDeny)
			}
		})
	}
}

// The explanation names conditions that failed and keys the context lacked.
func TestEvaluateExplanations(t *testing.T) {
	eng, _ := newTestEngine(nil, nil)
	bob := &user(acctB, "bob").Principal
	ev := &Evaluation{
		Principal: bob, ResourceAccount: acctA, Action: actIssue, ResourceARN: caARN,
		Identity: []Policy{idPol("p", allowAllPCA)},
		Resource: &Policy{Kind: ResourcePolicy, Name: caARN, Document: orgShare},
		Context:  evalContext("acm-pca:TemplateArn", tmplSubCA),
	}
	d := eng.Evaluate(ev)
	if d.Reason != DeniedNoResourceAllow {
		t.Fatalf("reason = %v, want DeniedNoResourceAllow", d.Reason)
	}
	if !slices.Equal(d.MissingContextValues, []string{"aws:PrincipalOrgID"}) {
		t.Errorf("MissingContextValues = %q, want [aws:PrincipalOrgID]", d.MissingContextValues)
	}
	wantMiss := func(d *Decision, key string, missing bool) {
		t.Helper()
		if len(d.ConditionMisses) != 1 {
			t.Fatalf("ConditionMisses = %+v, want one (statement 0)", d.ConditionMisses)
		}
		m := d.ConditionMisses[0]
		if m.Policy != caARN || m.Kind != ResourcePolicy || m.Miss.Operator != "StringEquals" ||
			m.Miss.Key != key || m.Miss.Missing != missing || m.Miss.Statement.Index != 0 {
			t.Errorf("ConditionMiss = %+v, want StringEquals on %s (missing %v)", m, key, missing)
		}
	}
	wantMiss(d, "acm-pca:TemplateArn", false)
	// With the default template, the org condition is the one that fails.
	ev.Context = evalContext("acm-pca:TemplateArn", tmplDefault)
	d = eng.Evaluate(ev)
	wantMiss(d, "aws:PrincipalOrgID", true)

	// The same key missing from several documents is reported once.
	ev.Identity = []Policy{idPol("a", orgCondIdentity), idPol("b", orgCondIdentity)}
	d = eng.Evaluate(ev)
	if n := countOf(d.MissingContextValues, "aws:PrincipalOrgID"); n != 1 {
		t.Errorf("aws:PrincipalOrgID reported %d times in %q", n, d.MissingContextValues)
	}
}

var orgCondIdentity = doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + orgID + `"}}}`)

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// A document is parsed once and served from the memo afterwards.
func TestEvaluateParsesOnce(t *testing.T) {
	eng, _ := newTestEngine(nil, nil)
	ev := &Evaluation{Identity: []Policy{idPol("p", allowAllPCA)}, Action: actIssue, ResourceARN: caARN}
	eng.Evaluate(ev)
	d1, err1 := eng.parse(allowAllPCA, policy.Identity)
	d2, err2 := eng.parse(allowAllPCA, policy.Identity)
	if err1 != nil || err2 != nil || d1 != d2 {
		t.Fatalf("parse not memoized: %p %v, %p %v", d1, err1, d2, err2)
	}
	if _, err := eng.parse(allowAllPCA, policy.Resource); err == nil {
		t.Fatal("identity document accepted as a resource policy: kinds share a memo entry")
	}
}
