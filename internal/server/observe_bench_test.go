package server

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/awsapi/cloudtrailapi"
	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/metrics"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/trail"
)

// BenchmarkObserveIssue is what the trail and the metrics add to one
// IssueCertificate: the edge observer's work on the request goroutine plus
// the record's share of the batched write (docs/benchmarks.md).
func BenchmarkObserveIssue(b *testing.B) {
	// The trail's own file, as the server keeps it on SQLite.
	db, err := store.OpenTrailSQLite(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	m := metrics.New(clock.Real{})
	var rows, batches atomic.Int64
	tr := trail.New(db, nil, clock.Real{}, slog.New(slog.NewTextHandler(io.Discard, nil)), func(n int) {
		m.TrailBatch(n)
		rows.Add(int64(n))
		batches.Add(1)
	})
	defer tr.Close()
	obs := observers{m, cloudtrailapi.Recorder{Trail: tr}}
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
	csr := make([]byte, 450) // a P-256 CSR in PEM
	call := &awsapi.Call{Time: time.Now(), Latency: time.Millisecond, RequestID: "8f462337-21b8-41f5-a506-8dbc50bdfc11",
		Service: "acm-pca", Operation: "IssueCertificate", SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26",
		Caller: &authz.Caller{Principal: authz.Principal{Type: authz.TypeUser, AccountID: "444455556666",
			ARN: "arn:aws:iam::444455556666:user/dev", UserName: "dev", UserID: "AIDAEXAMPLE"}, AccessKeyID: "AKIAEXAMPLE", Region: "us-east-1"},
		Input: &pca.IssueCertificateInput{CertificateAuthorityArn: ca, Csr: csr, SigningAlgorithm: "SHA256WITHECDSA",
			Validity: &pca.Validity{Type: "DAYS", Value: new(int64(7))}},
		Output: &pca.IssueCertificateOutput{CertificateArn: ca + "/certificate/0123456789abcdef0123456789abcdef"},
		Status: 200}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Process()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			obs.ObserveCall(context.Background(), call)
		}
	})
	tr.Flush(context.Background())
	b.StopTimer()
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric(float64((benchcpu.Process()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	// Each batch is one commit: its fixed cost is shared by its rows.
	b.ReportMetric(float64(rows.Load())/float64(max(batches.Load(), 1)), "rows/batch")
}
