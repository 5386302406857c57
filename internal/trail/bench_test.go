package trail

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/store"
)

// BenchmarkInsertRows is the writer's cost per event (a cross-account
// issuance, seen by two accounts: a chunk each per batch) by events per
// batch (one commit each), on the trail's own SQLite file.
func BenchmarkInsertRows(b *testing.B) {
	for _, batch := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { benchInsertRows(b, batch) })
	}
}

func benchInsertRows(b *testing.B, batch int) {
	db, err := store.OpenTrailSQLite(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
	c := &authz.Caller{Principal: authz.Principal{Type: authz.TypeUser, AccountID: "444455556666",
		ARN: "arn:aws:iam::444455556666:user/dev", UserName: "dev", UserID: "AIDAEXAMPLE"}, AccessKeyID: "AKIAEXAMPLE", Region: "us-east-1"}
	t0 := time.Now()
	cpu0 := benchcpu.Process()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		var rows []row
		for j := range batch {
			ev := &Event{ID: fmt.Sprintf("%08d-21b8-41f5-a506-8dbc50bdfc11", i+j), Time: t0.Add(time.Duration(i+j) * time.Microsecond),
				Region: "us-east-1", Source: "acm-pca.amazonaws.com", Name: "IssueCertificate", Caller: c,
				SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26", RequestID: "8f462337-21b8-41f5-a506-8dbc50bdfc11",
				Request:   map[string]any{"certificateAuthorityArn": ca, "csr": map[string]any{"position": 450, "limit": 450, "capacity": 450}, "signingAlgorithm": "SHA256WITHECDSA", "validity": map[string]any{"type": "DAYS", "value": 7}},
				Response:  map[string]any{"certificateArn": ca + "/certificate/0123456789abcdef0123456789abcdef"},
				Resources: []Resource{{Type: "AWS::ACMPCA::CertificateAuthority", Name: ca}}, Recipients: []string{"111122223333"}}
			rec, base := buildRecord(ev, true)
			base.Record = rec
			for _, acct := range []string{"444455556666", "111122223333"} {
				r := base
				r.Account = acct
				rows = append(rows, r)
			}
		}
		if err := insertRows(context.Background(), db, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((benchcpu.Process()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkRecord is the trail's whole cost per event as a request pays it
// and the writer after it: the record built from the encoded parameters,
// queued from parallel requests, written in the writer's batches, on the
// trail's own SQLite file (a same-account issuance).
func BenchmarkRecord(b *testing.B) {
	b.Run("pace-only", func(b *testing.B) { benchRecord(b, false) })
	b.Run("record", func(b *testing.B) { benchRecord(b, true) })
}

// benchRecord with record false costs only the pacing, which the record
// case's figure includes: subtract it.
func benchRecord(b *testing.B, record bool) {
	db, err := store.OpenTrailSQLite(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := New(db, nil, nil, nil, nil)
	defer s.Close()
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
	c := &authz.Caller{Principal: authz.Principal{Type: authz.TypeUser, AccountID: "111122223333",
		ARN: "arn:aws:iam::111122223333:user/dev", UserName: "dev", UserID: "AIDAEXAMPLE"}, AccessKeyID: "AKIAEXAMPLE", Region: "us-east-1"}
	req := []byte(`{"certificateAuthorityArn":"` + ca + `","csr":{"position":450,"limit":450,"capacity":450},"signingAlgorithm":"SHA256WITHECDSA","validity":{"type":"DAYS","value":7}}`)
	resp := []byte(`{"certificateArn":"` + ca + `/certificate/0123456789abcdef0123456789abcdef"}`)
	var n atomic.Int64
	t0 := time.Now()
	cpu0 := benchcpu.Process()
	b.ResetTimer()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if record {
				s.Record(&Event{ID: fmt.Sprintf("%08d-21b8-41f5-a506-8dbc50bdfc11", i), Time: t0.Add(time.Duration(i) * time.Microsecond),
					Region: "us-east-1", Source: "acm-pca.amazonaws.com", Name: "IssueCertificate", Caller: c,
					SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26", RequestID: "8f462337-21b8-41f5-a506-8dbc50bdfc11",
					RequestJSON: req, ResponseJSON: resp,
					Resources: []Resource{{Type: "AWS::ACMPCA::CertificateAuthority", Name: ca}}})
			}
			// About a request's pace (a few hundred µs): events arrive
			// spread out, as the writer sees them in service.
			time.Sleep(200 * time.Microsecond)
		}
	})
	s.Flush(context.Background())
	b.StopTimer()
	b.ReportMetric(float64((benchcpu.Process()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
