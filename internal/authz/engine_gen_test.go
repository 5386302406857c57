package authz

import (
	"context"
	"sync"
	"testing"
)

// TestSCPsSkipServiceLinkedRoles: a member-account SCP that denies
// everything does not bound a session of a service-linked role (AWS: SCPs
// do not affect service-linked roles), but does bound an ordinary role,
// including one whose ARN merely looks service-linked.
func TestSCPsSkipServiceLinkedRoles(t *testing.T) {
	denyAll := scpPol("deny-all", doc(`{"Effect":"Deny","Action":"*","Resource":"*"}`))
	slr := &Caller{Principal: Principal{Type: TypeAssumedRole, AccountID: acctB,
		ARN:          "arn:aws:sts::" + acctB + ":assumed-role/AWSServiceRoleForCertificateManager/acm",
		PrincipalARN: "arn:aws:iam::" + acctB + ":role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager",
		UserID:       "AROASLR:acm", EntityID: "AROASLR", RoleName: "AWSServiceRoleForCertificateManager", SessionName: "acm",
		ServiceLinked: true}}
	lookalike := &Caller{Principal: slr.Principal}
	lookalike.ServiceLinked = false
	allow := idPol("p", doc(`{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"}`))
	for _, tc := range []struct {
		name   string
		caller *Caller
		want   Reason
	}{
		{"service-linked role not bounded", slr, AllowedByBoth},
		{"role under /aws-service-role/ without the attribute bounded", lookalike, DeniedExplicitSCP},
		{"ordinary role bounded", session(acctB, "ops", "s1"), DeniedExplicitSCP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orgs := worldOrgs()
			withSCPs(acctB, denyAll)(orgs)
			eng, _ := newTestEngine(&fakeIDs{pols: []Policy{allow}}, orgs)
			d, err := eng.Authorize(context.Background(), &Request{Caller: tc.caller, Action: actIssue, Resource: caARN, ResourceAccount: acctA,
				ResourcePolicy: &Policy{Kind: ResourcePolicy, Name: caARN, Document: accountShare(acctB)}})
			if err != nil {
				t.Fatal(err)
			}
			checkDecision(t, d, tc.want, "")
		})
	}
}

// blockingOrgs returns an old context while an invalidation happens.
type blockingOrgs struct {
	mu       sync.Mutex
	oc       OrgContext
	onRead   func()
	readOnce sync.Once
}

func (b *blockingOrgs) OrgContext(context.Context, string) (OrgContext, error) {
	b.mu.Lock()
	oc := b.oc
	b.mu.Unlock()
	b.readOnce.Do(func() {
		if b.onRead != nil {
			b.onRead()
		}
	})
	return oc, nil
}

// TestInvalidateDuringReadIsNotHidden: a context read before an
// invalidation must not be cached past it.
func TestInvalidateDuringReadIsNotHidden(t *testing.T) {
	src := &blockingOrgs{oc: member(pathOU1)}
	eng, _ := newTestEngine(&fakeIDs{}, src)
	src.onRead = func() {
		// The tree changes while the first read is in flight.
		src.mu.Lock()
		src.oc = member(pathR)
		src.mu.Unlock()
		eng.Invalidate(acctC)
	}
	first, err := eng.orgContext(context.Background(), acctC)
	if err != nil {
		t.Fatal(err)
	}
	if first.Paths[0] != pathOU1 {
		t.Fatalf("first read %v", first.Paths)
	}
	second, err := eng.orgContext(context.Background(), acctC)
	if err != nil {
		t.Fatal(err)
	}
	if second.Paths[0] != pathR {
		t.Fatalf("stale context served after invalidation: %v", second.Paths)
	}
}
