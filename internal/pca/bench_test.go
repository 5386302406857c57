package pca

import (
	"testing"

	"github.com/openpca/openpca/internal/pki"
)

// BenchmarkIssueCertificateService measures IssueCertificate at the
// service level with parallel callers: authz, CA load, CSR checks, signing
// and the durable group commit on SQLite (WAL, synchronous=FULL) in a temp
// dir. Compare with pki's BenchmarkIssueP256/RSA2048 (signing alone).
func BenchmarkIssueCertificateService(b *testing.B) {
	for _, alg := range []pki.KeyAlgorithm{pki.ECPrime256v1, pki.RSA2048} {
		b.Run(string(alg), func(b *testing.B) {
			e := newEnv(b, Config{})
			root := e.activeRoot(alg, 10)
			csr := leafCSR(b, "bench.example.com")
			commits0 := e.svc.Commits()
			b.ReportAllocs()
			b.SetParallelism(16) // many concurrent clients, as a server sees them
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.issue(root, csr, alg, "", days(30)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if c := e.svc.Commits() - commits0; c > 0 {
				b.ReportMetric(float64(b.N)/float64(c), "certs/commit")
			}
		})
	}
}
