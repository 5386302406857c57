package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

// A lease goes to one holder until it expires on the taker's clock; its
// holder extends and releases it; a holder that lost it cannot commit
// under it.
func TestLease(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	take := func(holder string, at time.Time) bool {
		t.Helper()
		ok, err := db.TryLease(ctx, "job/1", holder, at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !take("a", now) || take("b", now) || take("b", now.Add(time.Minute-time.Nanosecond)) {
		t.Fatal("a lease held by a went to b before it expired")
	}
	if !take("a", now.Add(30*time.Second)) { // extended to now+90s
		t.Fatal("the holder could not extend its lease")
	}
	if take("b", now.Add(time.Minute)) {
		t.Fatal("b took the lease a had extended")
	}
	if !take("b", now.Add(90*time.Second)) {
		t.Fatal("an expired lease was not taken over")
	}
	held := func(holder string) bool {
		var ok bool
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			ok, err = store.HoldsLease(ctx, tx, "job/1", holder, now.Add(100*time.Second))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if held("a") || !held("b") {
		t.Fatal("HoldsLease does not follow the takeover")
	}
	if err := db.ReleaseLease(ctx, "job/1", "a"); err != nil { // not a's any more: nothing
		t.Fatal(err)
	}
	if take("c", now.Add(100*time.Second)) {
		t.Fatal("a released b's lease")
	}
	if err := db.ReleaseLease(ctx, "job/1", "b"); err != nil {
		t.Fatal(err)
	}
	if !take("c", now.Add(100*time.Second)) {
		t.Fatal("a released lease could not be taken")
	}
}

// AppendTx does not wait for the write lock on PostgreSQL: it commits
// while another transaction holds the lock.
func TestPostgresAppendTxSkipsWriteLock(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE appended (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(ctx, func(tx *sql.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	// Were the lock taken, this would wait until the deadline.
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = db.AppendTx(actx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(actx, `INSERT INTO appended (id) VALUES (1) ON CONFLICT DO NOTHING`)
		return err
	})
	close(release)
	if err != nil {
		t.Fatalf("AppendTx while the write lock is held: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
