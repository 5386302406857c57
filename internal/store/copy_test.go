package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

// targets runs fn against an empty migrated target on each engine: SQLite
// always, PostgreSQL when storetest can start it.
func targets(t *testing.T, fn func(t *testing.T, dst *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		dst, err := store.OpenSQLite(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		fn(t, dst)
	})
	t.Run("postgres", func(t *testing.T) {
		dst, err := store.Open(context.Background(), storetest.PostgresURL(t), "")
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		fn(t, dst)
	})
}

// source builds an SQLite store whose rows cover what the copy must keep
// exactly: sealed blobs with NUL and non-UTF-8 bytes, empty blobs apart
// from NULL ones, int64 extremes, and more rows than one INSERT batch.
func source(t *testing.T, extra ...string) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{
		`INSERT INTO accounts (id, name, email, created_at) VALUES ('111122223333', 'mgmt', 'a@example.com', 1)`,
		`INSERT INTO accounts (id, name, email, created_at) VALUES ('444455556666', 'two', '', -5)`,
		`INSERT INTO settings (name, value) VALUES ('master_key_check', 'abc123'), ('pca_page_token_key', '00ff')`,
		`INSERT INTO iam_access_keys (id, account_id, user_id, status, sealed_secret, created_at) VALUES ('AKIA1', '111122223333', '', 'Active', x'00ff80c3280a', 9223372036854775807)`,
		`INSERT INTO pca_cas (id, arn, owner_account, ca_type, status, config_json, key_storage, usage_mode, key_blob, csr_der, cert_der, chain_pem, created_at, last_state_change_at, created_by)
		 VALUES ('ca1', 'arn:ca1', '111122223333', 'ROOT', 'ACTIVE', '{"ü":"€"}', 'SOFTWARE', 'GENERAL_PURPOSE', x'deadbeef00', x'', NULL, x'0a', -9223372036854775807, 2, 'root')`,
	}
	for i := range 1234 {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO trail_chunks (account_id, region, last_time, chunk_id, first_time, events) VALUES ('111122223333', 'us-east-1', %d, 'e%04d', %d, x'%x')`, int64(i)*1e9, i, int64(i)*1e9, fmt.Sprintf(`{"id":"e%04d","rec":{"n":%d}}`+"\n", i, i)))
	}
	stmts = append(stmts, extra...)
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, store.FileName)
}

// dump renders every table except the migrations bookkeeping as sorted
// lines of typed values, comparable across engines.
func dump(t *testing.T, db *sql.DB, engine string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'`
	if engine == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`
	}
	names := storetest.Strings(t, db, q)
	out := map[string][]string{}
	for _, n := range names {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+n)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				switch x := v.(type) {
				case nil:
					fmt.Fprintf(&b, "%s=NULL ", cols[i])
				case []byte:
					fmt.Fprintf(&b, "%s=x'%x' ", cols[i], x)
				case string:
					fmt.Fprintf(&b, "%s=%q ", cols[i], x)
				default:
					fmt.Fprintf(&b, "%s=%v ", cols[i], x)
				}
			}
			lines = append(lines, b.String())
		}
		rows.Close()
		slices.Sort(lines)
		out[n] = lines
	}
	return out
}

func openSource(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Every row of every table arrives with the same values: blobs byte for
// byte, NULL apart from empty, int64 extremes, batches of many rows.
func TestCopySQLiteCopiesEveryRow(t *testing.T) {
	src := source(t)
	targets(t, func(t *testing.T, dst *store.DB) {
		res, err := store.CopySQLite(context.Background(), src, dst)
		if err != nil {
			t.Fatal(err)
		}
		want := dump(t, openSource(t, src), store.SQLite)
		got := dump(t, dst.DB, dst.Engine())
		if len(got) != len(want) {
			t.Fatalf("%d tables in the target, %d in the source", len(got), len(want))
		}
		var total int64
		for table, rows := range want {
			if !slices.Equal(got[table], rows) {
				t.Errorf("table %s differs:\n got %q\nwant %q", table, head(got[table]), head(rows))
			}
			total += int64(len(rows))
		}
		if res.Rows != total || res.Rows != 1234+6 || len(res.Tables) != len(want) || len(res.Uncopied) != 0 {
			t.Fatalf("result %d rows in %d tables, want %d in %d", res.Rows, len(res.Tables), total, len(want))
		}
		// Parents come before the tables that reference them.
		pos := map[string]int{}
		for i, tc := range res.Tables {
			pos[tc.Name] = i
		}
		if pos["accounts"] > pos["iam_access_keys"] || pos["pca_cas"] > pos["pca_certificates"] {
			t.Fatalf("copy order %v", res.Tables)
		}
	})
}

func head(s []string) []string { return s[:min(len(s), 3)] }

// A target with any OpenPCA row is refused and left as it was.
func TestCopySQLiteRefusesNonEmptyTarget(t *testing.T) {
	src := source(t)
	targets(t, func(t *testing.T, dst *store.DB) {
		ctx := context.Background()
		if err := dst.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO trail_chunks (account_id, region, last_time, chunk_id, first_time, events) VALUES ('111122223333', 'us-east-1', 7, 'mine', 7, $1)`, []byte("{}\n"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		before := dump(t, dst.DB, dst.Engine())
		_, err := store.CopySQLite(ctx, src, dst)
		if !errors.Is(err, store.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "trail_chunks") {
			t.Fatalf("copy into a non-empty target: %v", err)
		}
		after := dump(t, dst.DB, dst.Engine())
		for table, rows := range before {
			if !slices.Equal(after[table], rows) {
				t.Fatalf("table %s changed: %q", table, head(after[table]))
			}
		}
	})
}

// A value the target cannot take, met late in the copy, rolls back every
// table copied before it.
func TestCopySQLiteFailureLeavesTargetEmpty(t *testing.T) {
	// SQLite's affinity keeps text that is not a number in a BIGINT column.
	src := source(t, `INSERT INTO trail_chunks (account_id, region, last_time, chunk_id, first_time, events) VALUES ('111122223333', 'us-east-1', 'yesterday', 'bad', 1, x'7b7d0a')`)
	targets(t, func(t *testing.T, dst *store.DB) {
		_, err := store.CopySQLite(context.Background(), src, dst)
		if err == nil || !strings.Contains(err.Error(), "copy trail_chunks") || !strings.Contains(err.Error(), "last_time") {
			t.Fatalf("copy of a bad value: %v", err)
		}
		for table, rows := range dump(t, dst.DB, dst.Engine()) {
			if len(rows) != 0 {
				t.Fatalf("table %s kept %d rows after the failed copy", table, len(rows))
			}
		}
	})
}

// A source at another schema version is refused: the copy never migrates
// it, and the target's tables are this binary's.
func TestCopySQLiteRefusesOtherSchemaVersion(t *testing.T) {
	src := source(t, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 1)`)
	targets(t, func(t *testing.T, dst *store.DB) {
		_, err := store.CopySQLite(context.Background(), src, dst)
		if !errors.Is(err, store.ErrSchemaVersion) || !strings.Contains(err.Error(), "9999") {
			t.Fatalf("copy from a newer schema: %v", err)
		}
	})
}

// Identity columns (none in today's schema) continue past the copied keys;
// a table only the target has is reported, left empty.
func TestCopySQLiteResetsSequences(t *testing.T) {
	ctx := context.Background()
	src := source(t, `CREATE TABLE copy_seq (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)`,
		`INSERT INTO copy_seq (id, v) VALUES (41, 'a'), (42, 'b')`)
	dst, err := store.Open(ctx, storetest.PostgresURL(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for _, ddl := range []string{`CREATE TABLE copy_seq (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v TEXT NOT NULL)`,
		`CREATE TABLE copy_pg_only (x BIGINT)`} {
		if _, err := dst.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	res, err := store.CopySQLite(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Sequences, []string{"copy_seq.id"}) || !slices.Equal(res.Uncopied, []string{"copy_pg_only"}) {
		t.Fatalf("sequences reset: %v; uncopied: %v", res.Sequences, res.Uncopied)
	}
	var id int64
	if err := dst.QueryRowContext(ctx, `INSERT INTO copy_seq (v) VALUES ('c') RETURNING id`).Scan(&id); err != nil || id != 43 {
		t.Fatalf("next id %d, %v", id, err)
	}
}

// BenchmarkCopySQLite measures migrate-store's copy into PostgreSQL: a
// store of 20,000 certificates (600-byte DER) and 20,000 trail records,
// into a fresh database per iteration. It reports rows/s and this
// process's CPU per row (the PostgreSQL server's CPU is not included).
func BenchmarkCopySQLite(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	const n = 20000
	der := make([]byte, 600)
	for i := range der {
		der[i] = byte(i * 7)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pca_cas (id, arn, owner_account, ca_type, status, config_json, key_storage, usage_mode, created_at, last_state_change_at, created_by)
			VALUES ('ca1', 'arn:ca1', '111122223333', 'ROOT', 'ACTIVE', '{}', 'SOFTWARE', 'GENERAL_PURPOSE', 1, 1, 'root')`); err != nil {
			return err
		}
		for i := range n {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pca_certificates (ca_id, serial, issuer_principal, issuer_account, template_arn, subject, not_before, not_after, issued_at, der)
				VALUES ('ca1', $1, 'arn:aws:iam::111122223333:root', '111122223333', 'arn:aws:acm-pca:::template/EndEntityCertificate/V1', 'CN=svc', 1, 2, 3, $2)`,
				fmt.Sprintf("%032x", i), der); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO trail_chunks (account_id, region, last_time, chunk_id, first_time, events)
				VALUES ('111122223333', 'us-east-1', $1, $2, $1, $3)`,
				int64(i), fmt.Sprintf("e%08d", i), []byte(strings.Repeat("x", 900))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	db.Close()
	src := filepath.Join(dir, store.FileName)
	var rows int64
	var cpu time.Duration
	var wall time.Duration
	for b.Loop() {
		b.StopTimer()
		dst, err := store.Open(ctx, storetest.PostgresURL(b), "")
		if err != nil {
			b.Fatal(err)
		}
		c0 := benchcpu.Process()
		b.StartTimer()
		res, err := store.CopySQLite(ctx, src, dst)
		b.StopTimer()
		cpu += benchcpu.Process() - c0
		if err != nil {
			b.Fatal(err)
		}
		rows += res.Rows
		wall += res.Elapsed
		dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(rows), "cpu-ns/row")
}

// Each engine's type names pick the right conversion; a type name that
// only contains "int" (PostgreSQL's interval, point) is not an integer.
func TestCopyConvertersByType(t *testing.T) {
	for _, c := range []struct {
		ty   string
		in   any
		want any
		fail bool
	}{
		{"bigint", int64(7), int64(7), false},
		{"integer", "x", nil, true},
		{"boolean", int64(1), true, false},
		{"bytea", "ab", []byte("ab"), false},
		{"blob", []byte(nil), []byte{}, false},
		{"text", []byte("é"), "é", false},
		{"text", "a\x00b", nil, true},
		{"interval", "1 day", "1 day", false},
		{"point", "(1,2)", "(1,2)", false},
	} {
		got, err := store.ConvertForTest(c.ty, c.in)
		if (err != nil) != c.fail || (!c.fail && fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", c.want)) {
			t.Errorf("%s %#v: got %#v, %v", c.ty, c.in, got, err)
		}
	}
}
