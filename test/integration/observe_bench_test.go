package integration

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/server"
)

// BenchmarkIssueObserved measures IssueCertificate through the SDK, the
// edge and the service (real SQLite, group commit, parallel clients) with
// the call trail and the metrics on and off (docs/benchmarks.md: the goal
// is < 5 % difference). Only the issuance is timed.
func BenchmarkIssueObserved(b *testing.B) {
	for _, bc := range []struct {
		name string
		off  bool
	}{{"off", true}, {"on", false}} {
		b.Run(bc.name, func(b *testing.B) {
			app, err := server.Open(context.Background(), server.Config{DataDir: b.TempDir(),
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), NoTrail: bc.off, NoMetrics: bc.off})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(app.Handler)
			defer func() { srv.Close(); app.Close() }()
			if _, err := app.Bootstrap(context.Background(), server.BootstrapSpec{
				AccountID: mgmtAccount, AccessKeyID: mgmtKeyID, SecretAccessKey: mgmtSecret}, srv.URL); err != nil {
				b.Fatal(err)
			}
			c := acmpca.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider(mgmtKeyID, mgmtSecret, "")})
			t := &testing.T{}
			ca := activeCA(t, c)
			if t.Failed() {
				b.Fatal("CA setup failed")
			}
			csr := leafCSR(t)
			in := &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca, Csr: csr, SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
				Validity: &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(7)}}
			b.SetParallelism(4)
			cpu0 := benchcpu.Process()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.IssueCertificate(context.Background(), in); err != nil {
						b.Error(err)
						return
					}
				}
			})
			if !bc.off {
				app.Trail.Flush(context.Background()) // the records' writing is part of the cost
			}
			b.StopTimer()
			// CPU time (client, edge, service, trail writer: one process) is
			// far less sensitive than wall time to other load on the machine.
			b.ReportMetric(float64((benchcpu.Process()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			if !bc.off {
				// Trail rows per commit (setup's included): each commit's cost is mostly fixed.
				if fams, err := app.Metrics.Registry.Gather(); err == nil {
					for _, f := range fams {
						if h := f.GetMetric(); f.GetName() == "openpca_trail_write_batch_size" && len(h) == 1 {
							b.ReportMetric(h[0].GetHistogram().GetSampleSum()/float64(max(h[0].GetHistogram().GetSampleCount(), 1)), "rows/batch")
						}
					}
				}
			}
		})
	}
}
