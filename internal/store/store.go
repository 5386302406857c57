// Package store opens the database (SQLite by default, PostgreSQL for a
// postgres:// URL), applies the numbered migrations embedded in the binary
// and runs transactions. Domain packages keep their own queries in their
// store.go files, written in SQL that runs unchanged on SQLite and
// PostgreSQL: $n placeholders, times as UTC Unix nanoseconds (BIGINT), IDs as
// TEXT, binary as BLOB/BYTEA through []byte, no NUL bytes in text.
//
// Migrations are written once, in migrations/NNNN_name.sql. On PostgreSQL
// they get one dialect rewrite (BLOB becomes BYTEA, pgDialect); a migration
// whose SQL must differ gets a replacement of the same name in
// migrations/postgres/, which must have the same meaning. Write
// transactions (Tx) serialize on PostgreSQL as on SQLite (lockWrites), so
// check-then-write code holds with several servers on one database.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrationFS embed.FS

// DB is the opened database.
type DB struct {
	*sql.DB
	path   string
	engine string // SQLite or Postgres
	cache  stmtCache

	// PostgreSQL only: the connection settings, for Listen's connections,
	// and what stops the listeners at Close.
	pgConfig   *pgx.ConnConfig
	listenCtx  context.Context
	stopListen context.CancelFunc
	listeners  sync.WaitGroup

	// OnTx, when set before use, sees each write transaction's duration
	// and outcome (metrics).
	OnTx func(d time.Duration, err error)
}

// Engine is SQLite or Postgres.
func (db *DB) Engine() string { return db.engine }

// Close closes the cached statements and the database.
func (db *DB) Close() error {
	if db.stopListen != nil {
		db.stopListen()
		db.listeners.Wait()
	}
	db.closeStatements()
	return db.DB.Close()
}

// FileName is the SQLite database file inside the data directory.
const FileName = "openpca.db"

// OpenSQLite opens (creating if needed) the SQLite database in dir and
// applies pending migrations. WAL and synchronous=FULL make every commit
// durable; _txlock=immediate takes the write lock at BEGIN so concurrent
// read-then-write transactions queue on busy_timeout instead of failing.
func OpenSQLite(ctx context.Context, dir string) (*DB, error) {
	return openSQLite(ctx, dir, FileName, "FULL", nil)
}

// openSQLite opens the SQLite file name in dir with the given synchronous
// mode and applies the migrations named in only (all when nil).
func openSQLite(ctx context.Context, dir, name, synchronous string, only []string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, name)
	if err := restrictFiles(path); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(" + synchronous + ")" +
		"&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(ON)"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// Readers run concurrently under WAL; writers serialize on the lock.
	sqldb.SetMaxOpenConns(8)
	// Keep every connection: a new SQLite connection re-parses the whole
	// schema, which costs more than most queries.
	sqldb.SetMaxIdleConns(8)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sqldb, path: path, engine: SQLite}
	if err := db.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := db.migrate(ctx, only...); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}

// restrictFiles creates the database file 0600 before SQLite does (SQLite
// gives its -wal and -shm files the database file's mode) and tightens the
// files of an existing database: they hold every sealed secret and the
// whole account model.
func restrictFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restrict %s: %w", p, err)
		}
	}
	return nil
}

// Path is the database file's path ("" on PostgreSQL).
func (db *DB) Path() string { return db.path }

// Tx runs fn in one write transaction, committing when fn returns nil.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	return db.tx(ctx, true, fn)
}

// AppendTx is Tx for writes that check nothing first: inserts whose
// conflicts the schema settles (ON CONFLICT). On PostgreSQL it does not
// take the write lock, so such writes do not queue behind, or hold up,
// the check-then-write transactions (docs/postgres.md); on SQLite it is
// Tx.
func (db *DB) AppendTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.tx(ctx, false, fn)
}

func (db *DB) tx(ctx context.Context, lock bool, fn func(tx *sql.Tx) error) (err error) {
	if db.OnTx != nil {
		start := time.Now()
		defer func() { db.OnTx(time.Since(start), err) }()
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if db.engine == Postgres && lock {
		if err := lockWrites(ctx, tx); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("begin: %w", err)
		}
	}
	// A panic in fn (recovered by the HTTP edge) must not leave the write
	// lock held.
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ErrNoRows is sql.ErrNoRows, re-exported so domain stores need one import.
var ErrNoRows = sql.ErrNoRows

// IsUniqueViolation reports whether err is a unique-constraint failure.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// maxStored and minStored are the instants int64 nanoseconds can hold
// (1677-09-21 to 2262-04-11).
var (
	maxStored = time.Unix(0, math.MaxInt64)
	minStored = time.Unix(0, math.MinInt64+1)
)

// Nanos converts t to the stored form: UTC Unix nanoseconds. Instants past
// what int64 nanoseconds hold (a certificate valid until 9999-12-31 is
// legal) are clamped to the last representable one instead of wrapping
// into the past, so comparisons with the clock stay right.
func Nanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.After(maxStored):
		return math.MaxInt64
	case t.Before(minStored):
		return math.MinInt64 + 1
	}
	return t.UnixNano()
}

// Time converts stored nanoseconds back to a UTC time (zero stays zero).
func Time(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the numbered migrations for engine. On PostgreSQL
// a file of the same name in migrations/postgres replaces the shared one;
// the others get pgDialect's type rewrite.
func loadMigrations(engine string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %q: name must start with NNNN_", name)
		}
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		text := string(body)
		if engine == Postgres {
			if pg, err := migrationFS.ReadFile("migrations/postgres/" + name); err == nil {
				text = string(pg)
			} else {
				text = pgDialect(text)
			}
		}
		out = append(out, migration{version: v, name: name, sql: text})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("two migrations numbered %d", out[i].version)
		}
	}
	return out, nil
}

// migrate applies the pending migrations; with names, only those (a side
// file such as the trail's holds a few tables of the schema).
func (db *DB) migrate(ctx context.Context, only ...string) error {
	migs, err := loadMigrations(db.engine)
	if err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if db.engine == Postgres {
			// Servers starting together: one migrates, the others wait
			// and then find nothing pending. PostgreSQL DDL is
			// transactional, so a failed migration leaves no trace.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockKey)); err != nil {
				return fmt.Errorf("migration lock: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&current); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for _, m := range migs {
			if current.Valid && int64(m.version) <= current.Int64 || len(only) > 0 && !slices.Contains(only, m.name) {
				continue
			}
			for _, stmt := range splitStatements(m.sql) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migration %s: %w", m.name, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.version, m.name, time.Now().UnixNano()); err != nil {
				return err
			}
		}
		return nil
	})
}

// splitStatements splits a migration on semicolons that end a line; our
// migrations hold no triggers or string literals containing ";\n".
func splitStatements(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";\n") {
		var keep []string
		for _, line := range strings.Split(part, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
				keep = append(keep, line)
			}
		}
		if stmt := strings.TrimSuffix(strings.TrimSpace(strings.Join(keep, "\n")), ";"); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}
