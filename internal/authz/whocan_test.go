package authz

import (
	"context"
	"testing"

	"github.com/openpca/openpca/internal/policy"
)

// idsByARN gives each principal (by PrincipalARN) its own policies.
type idsByARN map[string][]Policy

func (m idsByARN) IdentityPolicies(_ context.Context, p *Principal) ([]Policy, error) {
	return m[p.PrincipalARN], nil
}

// whoCanWorld: A owns the CA; B (ou-1) and C (ou-2 under ou-1) are in the
// organization; D is standalone.
func whoCanWorld() ([]Principal, idsByARN) {
	ps := []Principal{
		root(acctA).Principal,
		user(acctA, "admin").Principal,
		user(acctA, "nobody").Principal,
		root(acctB).Principal,
		user(acctB, "dev").Principal,
		user(acctB, "denied").Principal,
		session(acctC, "issuer", "issuer").Principal,
		user(acctD, "dev").Principal,
		root(acctD).Principal,
	}
	ids := idsByARN{
		user(acctA, "admin").PrincipalARN:          {idPol("admin", allowAllPCA)},
		user(acctB, "dev").PrincipalARN:            {idPol("dev", allowAllPCA)},
		user(acctB, "denied").PrincipalARN:         {idPol("all", allowAllPCA), idPol("deny", denyIssue)},
		session(acctC, "issuer", "x").PrincipalARN: {idPol("issuer", allowAllPCA)},
		user(acctD, "dev").PrincipalARN:            {idPol("dev", allowAllPCA)},
	}
	return ps, ids
}

func TestWhoCan(t *testing.T) {
	ps, ids := whoCanWorld()
	e, _ := newTestEngine(ids, worldOrgs())
	cands, err := e.Candidates(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	type want map[string]Reason // principal ARN → reason; absent = denied
	tests := []struct {
		name   string
		action string
		pol    string // resource policy; "" none
		ctx    map[string][]string
		want   want
	}{
		{"no policy: the owner account only", actIssue, "", nil, want{
			root(acctA).ARN:          AllowedAsRoot,
			user(acctA, "admin").ARN: AllowedByIdentity,
		}},
		{"account share to B", actIssue, accountShare(acctB), nil, want{
			root(acctA).ARN:          AllowedAsRoot,
			user(acctA, "admin").ARN: AllowedByIdentity,
			root(acctB).ARN:          AllowedByBoth,
			user(acctB, "dev").ARN:   AllowedByBoth,
		}},
		{"account share, other template", actIssue, accountShare(acctB), tmpl(tmplSubCA), want{
			root(acctA).ARN:          AllowedAsRoot,
			user(acctA, "admin").ARN: AllowedByIdentity,
		}},
		{"organization share reaches the owner's users without identity policy", actIssue, orgShare, nil, want{
			root(acctA).ARN:                        AllowedAsRoot,
			user(acctA, "admin").ARN:               AllowedByBoth,
			user(acctA, "nobody").ARN:              AllowedByResource,
			root(acctB).ARN:                        AllowedByBoth,
			user(acctB, "dev").ARN:                 AllowedByBoth,
			session(acctC, "issuer", "issuer").ARN: AllowedByBoth,
		}},
		{"OU share", actIssue, ouShare, nil, want{
			root(acctA).ARN:                        AllowedAsRoot,
			user(acctA, "admin").ARN:               AllowedByIdentity,
			root(acctB).ARN:                        AllowedByBoth,
			user(acctB, "dev").ARN:                 AllowedByBoth,
			session(acctC, "issuer", "issuer").ARN: AllowedByBoth,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &AccessQuery{Action: tc.action, Resource: caARN, ResourceAccount: acctA, Context: tc.ctx}
			if tc.pol != "" {
				q.ResourcePolicy = &Policy{Kind: ResourcePolicy, Name: caARN, Document: tc.pol}
			}
			got := e.WhoCan(q, cands)
			seen := map[string]bool{}
			for _, a := range got {
				seen[a.Principal.ARN] = true
				r, ok := tc.want[a.Principal.ARN]
				if !ok {
					t.Errorf("%s allowed (%v), want denied", a.Principal.ARN, a.Reason)
					continue
				}
				if a.Reason != r {
					t.Errorf("%s: reason %v, want %v", a.Principal.ARN, a.Reason, r)
				}
				if a.Reason != AllowedAsRoot && len(a.Statements) == 0 {
					t.Errorf("%s: no statements explain the allow", a.Principal.ARN)
				}
				for _, m := range a.Statements {
					if m.Statement.Effect != policy.Allow {
						t.Errorf("%s: non-allow statement %+v reported", a.Principal.ARN, m)
					}
				}
			}
			for arn := range tc.want {
				if !seen[arn] {
					t.Errorf("%s missing from the answer", arn)
				}
			}

			// Every candidate's answer is the one Authorize gives a real request.
			for _, c := range cands {
				caller := &Caller{Principal: c.Principal, SecureTransport: true}
				d, err := e.Authorize(context.Background(), &Request{Caller: caller, Action: q.Action, Resource: q.Resource,
					ResourceAccount: q.ResourceAccount, ResourcePolicy: q.ResourcePolicy, Context: q.Context})
				if err != nil {
					t.Fatal(err)
				}
				w := e.EvaluateCandidate(q, &c)
				if d.Allowed != w.Allowed || d.Reason != w.Reason {
					t.Errorf("%s: who-can says %v/%v, Authorize says %v/%v", c.Principal.ARN, w.Allowed, w.Reason, d.Allowed, d.Reason)
				}
			}
		})
	}
}

// Candidates reads each principal's policies and live organization context.
func TestCandidates(t *testing.T) {
	ps, ids := whoCanWorld()
	orgs := worldOrgs()
	e, _ := newTestEngine(ids, orgs)
	e.SetOrgCacheTTL(0)
	cands, err := e.Candidates(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != len(ps) {
		t.Fatalf("%d candidates for %d principals", len(cands), len(ps))
	}
	for _, c := range cands {
		if got, want := c.Org.OrgID, orgs.accts[c.Principal.AccountID].OrgID; got != want {
			t.Errorf("%s: org %q, want %q", c.Principal.ARN, got, want)
		}
		if got, want := len(c.Policies), len(ids[c.Principal.PrincipalARN]); got != want {
			t.Errorf("%s: %d policies, want %d", c.Principal.ARN, got, want)
		}
	}
	orgs.err = errStore
	if _, err := e.Candidates(context.Background(), ps); err == nil {
		t.Fatal("an org store failure must surface")
	}
}
