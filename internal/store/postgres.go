package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Engines DB.Engine reports.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// IsPostgresURL reports whether database names a PostgreSQL server
// (postgres:// or postgresql:// URL) rather than the SQLite default.
func IsPostgresURL(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Open opens the database: PostgreSQL when database is a postgres:// URL,
// else the SQLite file in dataDir ("" or "sqlite").
func Open(ctx context.Context, database, dataDir string) (*DB, error) {
	switch {
	case IsPostgresURL(database):
		return OpenPostgres(ctx, database)
	case database == "" || database == SQLite:
		return OpenSQLite(ctx, dataDir)
	}
	return nil, fmt.Errorf("database %q: want a postgres:// URL or empty for SQLite in the data directory", redactURL(database))
}

// writeLockKey is the advisory lock every write transaction takes on
// PostgreSQL (an arbitrary constant: "OPCA").
const writeLockKey = 0x4f504341

// OpenPostgres connects to the PostgreSQL database at url and applies
// pending migrations. Several servers may share the database: migrations
// run under an advisory lock, and write transactions serialize on another
// (see Tx).
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL %s: %w", redactURL(url), err)
	}
	sqldb := stdlib.OpenDB(*cfg)
	// Unlike SQLite, every connection is a server process: keep few, but
	// keep them open: with fewer idle than open, a loaded server closed
	// and reopened one every other request (a backend fork each, most of
	// PostgreSQL's CPU per IssueCertificate; docs/benchmarks.md).
	sqldb.SetMaxOpenConns(16)
	sqldb.SetMaxIdleConns(16)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sqldb, engine: Postgres, pgConfig: cfg}
	db.listenCtx, db.stopListen = context.WithCancel(context.Background())
	if err := db.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open postgres %s: %w", redactURL(url), err)
	}
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}

// redactURL hides a password in a connection URL for error messages.
func redactURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if at := strings.LastIndex(u, "@"); at > i {
			if c := strings.Index(u[i+3:at], ":"); c >= 0 {
				return u[:i+3+c] + ":xxxxx" + u[at:]
			}
		}
	}
	return u
}

var blobWord = regexp.MustCompile(`\bBLOB\b`)

// pgDialect rewrites a migration written for SQLite into PostgreSQL: the
// one type name that differs. Statements that need more than that live in
// migrations/postgres/ under the same file name, which replaces the file.
func pgDialect(stmt string) string {
	return blobWord.ReplaceAllString(stmt, "BYTEA")
}

// lockWrites takes the transaction-scoped write lock on PostgreSQL. SQLite
// runs one write transaction at a time (BEGIN IMMEDIATE) and the domain
// stores' check-then-write sequences (attach limits, CreateAccount, CA
// quotas, association counts, idempotency tokens, serial numbers) rely on
// that; the advisory lock gives all servers on one database the same
// guarantee. Statements after it see every earlier commit (READ COMMITTED
// takes a fresh snapshot per statement). Reads outside Tx stay concurrent.
func lockWrites(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writeLockKey))
	return err
}

// migrationLockKey serializes migrations of servers starting together.
const migrationLockKey = 0x4f504d47

// OtherSessions counts the connections to this PostgreSQL database other
// than this handle's own (an offline admin command checks that no server
// is running); 0 on SQLite.
func (db *DB) OtherSessions(ctx context.Context) (int, error) {
	if db.engine != Postgres {
		return 0, nil
	}
	// Close this handle's idle pool connections, so that only the one
	// asking is left of this process.
	db.SetMaxIdleConns(0)
	defer db.SetMaxIdleConns(16) // as OpenPostgres sets it
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	// A backend leaves pg_stat_activity a moment after its client has
	// closed the connection: a server stopped just before the command
	// would still count. Sessions that stay for otherSessionsGrace do.
	deadline := time.Now().Add(otherSessionsGrace)
	for {
		var n int
		err = conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
			AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&n)
		if err != nil || n == 0 || time.Now().After(deadline) {
			return n, err
		}
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// otherSessionsGrace is how long OtherSessions waits for sessions that
// are closing.
const otherSessionsGrace = 2 * time.Second
