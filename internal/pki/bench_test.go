package pki

import "testing"

// benchIssue measures the raw issuance pipeline: parse and verify the CSR,
// build the template, sign, and PEM-encode.
func benchIssue(b *testing.B, alg KeyAlgorithm) {
	root := newRoot(b, alg, 0, Validity{Type: ValidityYears, Value: 10})
	sub := newSub(b, root, alg, 1, "SubordinateCACertificate_PathLen0", Validity{Type: ValidityYears, Value: 5})
	req := &IssueRequest{
		CSR:              simpleCSR(b, testKey(b, alg, 2), "bench.example.com", "bench.example.com"),
		Issuer:           sub.cert,
		IssuerSigner:     sub.signer,
		SigningAlgorithm: sigFor(alg),
		Validity:         Validity{Type: ValidityDays, Value: 30},
		Now:              testNow,
	}
	b.ReportAllocs()
	for b.Loop() {
		der, err := Issue(req)
		if err != nil {
			b.Fatal(err)
		}
		if len(EncodeCertPEM(der)) == 0 {
			b.Fatal("empty PEM")
		}
	}
}

func BenchmarkIssueP256(b *testing.B)    { benchIssue(b, ECPrime256v1) }
func BenchmarkIssueRSA2048(b *testing.B) { benchIssue(b, RSA2048) }
