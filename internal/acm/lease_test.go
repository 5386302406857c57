package acm

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/store/storetest"
)

// A worker that stalled past its lease stores nothing: the server that
// took the certificate over keeps its renewal.
func TestStalledWorkerDoesNotOverwriteTakeover(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	cfg := Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	a := New(db, nil, nil, nil, clock.NewFake(now), nil, cfg)
	b := New(db, nil, nil, nil, clock.NewFake(now), nil, cfg)
	row := &certRow{ID: "c1", ARN: "arn:aws:acm:us-east-1:111122223333:certificate/c1", Region: "us-east-1",
		Account: "111122223333", Type: typePrivate, Domain: "app.example.com", Status: statusIssued,
		Serial: "old", CreatedAt: now, NextAttemptAt: now}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return a.insertCert(ctx, tx, row, nil) }); err != nil {
		t.Fatal(err)
	}
	claimed := func(s *Service, at time.Time) []*certRow {
		t.Helper()
		rows, err := s.claimDue(ctx, at, lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	ra := claimed(a, now)
	if len(ra) != 1 || len(claimed(b, now.Add(lease-time.Nanosecond))) != 0 {
		t.Fatal("the lease did not keep b off a's certificate")
	}
	rb := claimed(b, now.Add(lease)) // a stalled: its lease expired
	if len(rb) != 1 {
		t.Fatal("b could not take over the expired lease")
	}
	done := func(r *certRow, serial string) {
		r.Serial, r.RenewalStatus, r.NextAttemptAt, r.LeaseUntil = serial, renewalSuccess, time.Time{}, time.Time{}
	}
	done(rb[0], "renewed-by-b")
	if err := b.saveWorked(ctx, rb, now.Add(2*lease)); err != nil {
		t.Fatal(err)
	}
	done(ra[0], "renewed-by-a")
	if err := a.saveWorked(ctx, ra, now.Add(lease)); err != nil {
		t.Fatal(err)
	}
	got, err := a.getCert(ctx, row.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != "renewed-by-b" {
		t.Fatalf("serial %q: the stalled worker overwrote the takeover", got.Serial)
	}
}
