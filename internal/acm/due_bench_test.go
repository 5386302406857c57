package acm

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// seedDue stores n managed certificates directly (not through the API),
// their renewal attempts spread over the next 395 days and about 1 in 400
// due at now.
func seedDue(tb testing.TB, n int, now time.Time) *Service {
	tb.Helper()
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	start := store.Nanos(now.Add(-24 * time.Hour))
	step := int64(396*24*time.Hour) / int64(max(n, 1))
	_, err = db.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM seq WHERE i < $1)
		INSERT INTO acm_certificates (id, arn, region, account_id, cert_type, domain_name, sans_json,
			key_algorithm, ca_arn, status, created_at, exported, next_attempt_at)
		SELECT 'id-' || i, 'arn:aws:acm:us-east-1:111122223333:certificate/c-' || i, 'us-east-1', '111122223333',
			'PRIVATE', 'app.example.com', '["app.example.com"]', 'EC_prime256v1',
			'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca', 'ISSUED', $2, 1,
			$3 + ((i * 7919) % $1) * $4
		FROM seq`, n, store.Nanos(now), start, step)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	return &Service{db: db}
}

// TestDueQueryUsesIndex: the worker's due-set query reads the partial index
// acm_certificates_due instead of scanning the table.
func TestDueQueryUsesIndex(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := seedDue(t, 2000, now)
	rows, err := s.db.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+dueQuery, store.Nanos(now), claimBatch)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "USING INDEX acm_certificates_due") || strings.Contains(got, "TEMP B-TREE") {
		t.Fatalf("plan: %s", got)
	}
	due, err := s.claimDue(context.Background(), now, lease, 1<<20)
	if err != nil || len(due) == 0 || len(due) > 2000/300 {
		t.Fatalf("claimed %d rows (%v) of 2000, about 5 due", len(due), err)
	}
}

// BenchmarkDueQuery times one claim batch's due-set query with
// OPENPCA_BENCH_ACM_ROWS (default 1,000,000) certificates stored.
func BenchmarkDueQuery(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("OPENPCA_BENCH_ACM_ROWS")); err == nil && v > 0 {
		n = v
	}
	now := time.Unix(1_800_000_000, 0)
	t0 := time.Now()
	s := seedDue(b, n, now)
	b.Logf("seeded %d rows in %s", n, time.Since(t0).Round(time.Millisecond))
	ctx := context.Background()
	b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
		for b.Loop() {
			rows, err := s.db.QueryContext(ctx, dueQuery, store.Nanos(now), claimBatch)
			if err != nil {
				b.Fatal(err)
			}
			k := 0
			for rows.Next() {
				if _, err := scanCert(rows); err != nil {
					b.Fatal(err)
				}
				k++
			}
			rows.Close()
			if k != claimBatch {
				b.Fatalf("%d due rows", k)
			}
		}
	})
}
