package pca

import (
	"testing"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/pki"
)

// benchIssuers sets up a CA in A shared with account B (the canonical
// account share) and returns it with a same-account and a cross-account
// user, both allowed acm-pca:* by identity policy.
func benchIssuers(b *testing.B) (*env, string, *authz.Caller, *authz.Caller) {
	w := newWorld()
	e := newWorldEnv(b, w)
	ca := e.activeRoot(pki.ECPrime256v1, 10)
	same := w.user(acct, "issuer", allowAllPCA)
	cross := w.user(acctB, "issuer", allowAllPCA)
	if err := e.put(rootCaller(acct), ca, accountShare(b, ca, acctB)); err != nil {
		b.Fatal(err)
	}
	return e, ca, same, cross
}

func benchIssue(b *testing.B, cross bool) {
	e, ca, same, other := benchIssuers(b)
	caller := same
	if cross {
		caller = other
	}
	in := &IssueCertificateInput{CertificateAuthorityArn: ca, Csr: leafCSR(b, "bench.example.com"),
		SigningAlgorithm: string(pki.SHA256WithECDSA), Validity: days(30)}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	benchcpu.Report(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.svc.IssueCertificate(bg, caller, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkIssueSameAccount and BenchmarkIssueCrossAccount measure
// end-to-end IssueCertificate (authz, signing, durable commit on SQLite)
// for a caller in the CA's account and one in another account allowed by
// the CA policy.
func BenchmarkIssueSameAccount(b *testing.B)  { benchIssue(b, false) }
func BenchmarkIssueCrossAccount(b *testing.B) { benchIssue(b, true) }

// BenchmarkAuthorizeIssue isolates the authorization of an issuance
// (policy cache, identity policies, evaluation): the difference between
// its two cases is the cross-account overhead.
func BenchmarkAuthorizeIssue(b *testing.B) {
	for _, tc := range []struct {
		name  string
		cross bool
	}{{"SameAccount", false}, {"CrossAccount", true}} {
		b.Run(tc.name, func(b *testing.B) {
			e, ca, same, other := benchIssuers(b)
			caller := same
			if tc.cross {
				caller = other
			}
			row, err := e.svc.loadCA(bg, nil, ca)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := e.svc.authorize(bg, caller, "IssueCertificate", row, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
