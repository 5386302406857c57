package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

func TestOpenMigratesOnceAndSettings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.Setting(ctx, "x"); err != nil || v != "" {
		t.Fatalf("unset setting: %q %v", v, err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return SetSetting(ctx, tx, "x", "1") }); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return SetSetting(ctx, tx, "x", "2") }); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q %v", mode, err)
	}
	db.Close()
	// Reopening applies nothing twice and keeps data.
	db, err = OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Setting(ctx, "x"); v != "2" {
		t.Fatalf("setting after reopen = %q", v)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(mustMigrations(t)) {
		t.Fatalf("schema_migrations rows %d, %v", n, err)
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	db, err := OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	boom := errors.New("boom")
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if err := SetSetting(ctx, tx, "y", "1"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if v, _ := db.Setting(ctx, "y"); v != "" {
		t.Fatalf("rolled-back write visible: %q", v)
	}
}

func TestUniqueViolationAndTimes(t *testing.T) {
	ctx := context.Background()
	db, err := OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ins := func() error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)`, "111122223333", "a", Nanos(time.Now()))
			return err
		})
	}
	if err := ins(); err != nil {
		t.Fatal(err)
	}
	if err := ins(); !IsUniqueViolation(err) {
		t.Fatalf("second insert: %v", err)
	}
	now := time.Date(2026, 11, 30, 1, 2, 3, 4, time.UTC)
	if got := Time(Nanos(now)); !got.Equal(now) {
		t.Fatalf("time round trip %v", got)
	}
	if !Time(0).IsZero() || Nanos(time.Time{}) != 0 {
		t.Fatal("zero time not preserved")
	}
	// Far-future validity (9999-12-31) clamps instead of wrapping into the past.
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	if got := Time(Nanos(far)); !got.After(time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("9999-12-31 stored as %v", got)
	}
	if got := Time(Nanos(time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC))); !got.Before(time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("year 1000 stored as %v", got)
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- c\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);\n")
	if len(got) != 2 || got[0] != "CREATE TABLE a (x INT)" {
		t.Fatalf("%q", got)
	}
}

func mustMigrations(t *testing.T) []migration {
	m, err := loadMigrations(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTxPanicReleasesTheWriteLock: a panic inside fn rolls back, so the
// next write does not wait on a lock held by an abandoned transaction.
func TestTxPanicReleasesTheWriteLock(t *testing.T) {
	ctx := context.Background()
	db, err := OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic not propagated")
			}
		}()
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			if err := SetSetting(ctx, tx, "z", "1"); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := db.Tx(tctx, func(tx *sql.Tx) error { return SetSetting(tctx, tx, "z", "2") }); err != nil {
		t.Fatalf("write after a panicked transaction: %v", err)
	}
	if v, _ := db.Setting(ctx, "z"); v != "2" {
		t.Fatalf("z = %q", v)
	}
}
