package authz

import (
	"context"
	"testing"
)

// BenchmarkAuthorize measures a full decision with in-memory sources: the
// canonical account share and the organization share, caller a user in B.
func BenchmarkAuthorize(b *testing.B) {
	cases := []struct {
		name   string
		resPol string
	}{
		{"account-share", accountShare(acctB)},
		{"org-share", orgShare},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			ids := &fakeIDs{pols: []Policy{idPol("arn:aws:iam::"+acctB+":policy/pca-all", allowAllPCA)}}
			eng, _ := newTestEngine(ids, worldOrgs())
			req := &Request{
				Caller: user(acctB, "bob"), Action: actIssue, Resource: caARN, ResourceAccount: acctA,
				ResourcePolicy: &Policy{Kind: ResourcePolicy, Name: caARN, Document: bc.resPol},
				Context:        tmpl(tmplDefault),
			}
			ctx := context.Background()
			d, err := eng.Authorize(ctx, req)
			if err != nil || d.Reason != AllowedByBoth {
				b.Fatalf("setup decision %v %v (%s)", d.Reason, err, d.Message)
			}
			b.ReportAllocs()
			for b.Loop() {
				if d, _ := eng.Authorize(ctx, req); !d.Allowed {
					b.Fatal("denied")
				}
			}
		})
	}
}
