package store_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

// Every migration applies on PostgreSQL, servers starting together migrate
// once, and reopening applies nothing twice.
func TestPostgresMigratesOnceConcurrently(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	dbs := make([]*store.DB, 3)
	errs := make([]error, 3)
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = store.Open(ctx, url, t.TempDir())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	db := dbs[0]
	if db.Engine() != store.Postgres || db.Path() != "" {
		t.Fatalf("engine %q path %q", db.Engine(), db.Path())
	}
	var n, distinct int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n == 0 || n != distinct {
		t.Fatalf("schema_migrations: %d rows, %d versions", n, distinct)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return store.SetSetting(ctx, tx, "x", "1") }); err != nil {
		t.Fatal(err)
	}
	if err := dbs[1].Tx(ctx, func(tx *sql.Tx) error { return store.SetSetting(ctx, tx, "x", "2") }); err != nil {
		t.Fatal(err)
	}
	if v, err := dbs[2].Setting(ctx, "x"); err != nil || v != "2" {
		t.Fatalf("setting via third server = %q %v", v, err)
	}
	// BLOB columns became BYTEA and keep arbitrary bytes.
	var typ string
	if err := db.QueryRowContext(ctx, `SELECT data_type FROM information_schema.columns WHERE table_name = 'pca_certificates' AND column_name = 'der'`).Scan(&typ); err != nil || typ != "bytea" {
		t.Fatalf("pca_certificates.der type %q %v", typ, err)
	}
}

// Write transactions of different servers serialize like SQLite's single
// writer: a read-increment-write in Tx never loses an update.
func TestPostgresTxSerializesWriters(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	a, err := store.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const per = 25
	var wg sync.WaitGroup
	for _, db := range []*store.DB{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					var v string
					err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'n'`).Scan(&v)
					if err != nil && err != sql.ErrNoRows {
						return err
					}
					n, _ := strconv.Atoi(v)
					return store.SetSetting(ctx, tx, "n", strconv.Itoa(n+1))
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v, _ := a.Setting(ctx, "n"); v != strconv.Itoa(4*per) {
		t.Fatalf("counter = %s, want %d (lost updates)", v, 4*per)
	}
}

func TestOpenRejectsUnknownDatabase(t *testing.T) {
	_, err := store.Open(context.Background(), "mysql://u:secret@h/db", t.TempDir())
	if err == nil {
		t.Fatal("want an error")
	}
	if s := err.Error(); strings.Contains(s, "secret") {
		t.Fatalf("error leaks the password: %s", s)
	}
}
