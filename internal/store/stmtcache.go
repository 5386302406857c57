package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache; the code holds a fixed
// set of query texts, so the bound only guards against generated SQL.
const maxCachedStatements = 512

// stmtCache keeps one prepared statement per query text. Parsing SQL is a
// large part of a short query's cost on the embedded SQLite, so queries
// outside transactions reuse their compiled form.
type stmtCache struct {
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func (db *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	if db.engine == Postgres {
		// pgx keeps its own per-connection statement cache.
		return nil
	}
	db.cache.mu.RLock()
	st := db.cache.stmts[query]
	db.cache.mu.RUnlock()
	if st != nil {
		return st
	}
	db.cache.mu.Lock()
	defer db.cache.mu.Unlock()
	if st := db.cache.stmts[query]; st != nil {
		return st
	}
	if len(db.cache.stmts) >= maxCachedStatements {
		return nil
	}
	st, err := db.DB.PrepareContext(ctx, query)
	if err != nil {
		// Let the unprepared path report the error.
		return nil
	}
	if db.cache.stmts == nil {
		db.cache.stmts = make(map[string]*sql.Stmt)
	}
	db.cache.stmts[query] = st
	return st
}

// QueryContext runs query through its cached prepared statement.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query through its cached prepared statement.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext runs query through its cached prepared statement.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := db.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.DB.ExecContext(ctx, query, args...)
}

func (db *DB) closeStatements() {
	db.cache.mu.Lock()
	defer db.cache.mu.Unlock()
	for _, st := range db.cache.stmts {
		st.Close()
	}
	db.cache.stmts = nil
}
