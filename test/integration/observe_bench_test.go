package integration

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
// is < 5 % difference). Both servers run in this process and take turns
// in short rounds, each round's process CPU time charged to its side: the
// machine's drift (other VMs, frequency) then falls on both alike, where
// separate runs differed by 20 % among themselves. b.N issuances go to
// each side; a round on the trail's side ends when its records are
// written.
func BenchmarkIssueObserved(b *testing.B) {
	// The collector set as openpca serve sets it (server.TuneGC).
	defer debug.SetGCPercent(debug.SetGCPercent(server.DefaultGCPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(server.DefaultMemoryLimit))
	type side struct {
		name string
		app  *server.App
		c    *acmpca.Client
		in   *acmpca.IssueCertificateInput
		cpu  time.Duration
	}
	open := func(name string, noTrail, noMetrics bool) *side {
		// Profile labels tell the sides apart in a -cpuprofile: the
		// server's goroutines started by Open inherit them, its requests
		// get them from the handler.
		labels := pprof.Labels("side", name)
		var app *server.App
		var err error
		pprof.Do(context.Background(), labels, func(ctx context.Context) {
			app, err = server.Open(ctx, server.Config{DataDir: b.TempDir(),
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), NoTrail: noTrail, NoMetrics: noMetrics})
		})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			pprof.Do(r.Context(), labels, func(context.Context) { app.Handler.ServeHTTP(w, r) })
		}))
		b.Cleanup(func() { srv.Close(); app.Close() })
		if _, err := app.Bootstrap(context.Background(), server.BootstrapSpec{
			AccountID: mgmtAccount, AccessKeyID: mgmtKeyID, SecretAccessKey: mgmtSecret}, srv.URL); err != nil {
			b.Fatal(err)
		}
		c := acmpca.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(mgmtKeyID, mgmtSecret, "")})
		t := &testing.T{}
		ca := activeCA(t, c)
		csr := leafCSR(t)
		if t.Failed() {
			b.Fatal("CA setup failed")
		}
		return &side{name: name, app: app, c: c, in: &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca, Csr: csr,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
			Validity:         &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(7)}}}
	}
	off, on := open("off", true, true), open("on", false, false)
	const round, clients = 100, 8
	run := func(s *side, n int) {
		cpu0 := benchcpu.Process()
		var wg sync.WaitGroup
		var next atomic.Int64
		for range clients {
			wg.Go(func() {
				pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("side", s.name)))
				for next.Add(1) <= int64(n) {
					if _, err := s.c.IssueCertificate(context.Background(), s.in); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if s.app.Trail != nil {
			s.app.Trail.Flush(context.Background()) // the records' writing is part of the cost
		}
		s.cpu += benchcpu.Process() - cpu0
	}
	// A warm-up round each: connections, caches, the first pages of the files.
	run(off, round)
	run(on, round)
	off.cpu, on.cpu = 0, 0
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		n := min(round, b.N-done)
		run(off, n)
		run(on, n)
	}
	b.StopTimer()
	b.ReportMetric(float64(off.cpu.Nanoseconds())/float64(b.N), "off-cpu-ns/op")
	b.ReportMetric(float64(on.cpu.Nanoseconds())/float64(b.N), "on-cpu-ns/op")
	b.ReportMetric(100*(float64(on.cpu)/float64(off.cpu)-1), "%on-over-off")
	// Trail rows per commit (setup's included): each commit's cost is mostly fixed.
	if fams, err := on.app.Metrics.Registry.Gather(); err == nil {
		for _, f := range fams {
			if h := f.GetMetric(); f.GetName() == "openpca_trail_write_batch_size" && len(h) == 1 {
				b.ReportMetric(h[0].GetHistogram().GetSampleSum()/float64(max(h[0].GetHistogram().GetSampleCount(), 1)), "rows/batch")
			}
		}
	}
}
