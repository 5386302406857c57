package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"

	"github.com/openpca/openpca/internal/store"
)

// openDB opens the server's store beside it: the SQLite file read-only, or
// the PostgreSQL database.
func (s *state) openDB() (*sql.DB, error) {
	if s.dbURL != "" {
		return sql.Open("pgx", s.dbURL)
	}
	return sql.Open("sqlite", "file:"+filepath.Join(s.dir, store.FileName)+"?mode=ro&_pragma=busy_timeout(10000)")
}

// integrityCheck is PRAGMA integrity_check on SQLite. On PostgreSQL it is
// amcheck: every B-tree index of the schema checked against its table
// (bt_index_check with heapallindexed) and every table's heap
// (verify_heapam). The extension ships with the server (contrib).
func (s *state) integrityCheck(ctx context.Context) error {
	if s.dbURL == "" {
		return store.IntegrityCheck(ctx, filepath.Join(s.dir, store.FileName))
	}
	db, err := s.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS amcheck`); err != nil {
		return fmt.Errorf("amcheck: %w", err)
	}
	var problems []string
	rows, err := db.QueryContext(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM verify_heapam($1::regclass)`, t).Scan(&n); err != nil {
			return fmt.Errorf("verify_heapam %s: %w", t, err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("table %s: %d corrupt tuples", t, n))
		}
	}
	var indexes int
	if err := db.QueryRowContext(ctx, `SELECT count(bt_index_check(c.oid, true)) FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE a.amname = 'btree' AND n.nspname = current_schema() AND i.indisvalid`).Scan(&indexes); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("amcheck: %s", strings.Join(problems, "; "))
	}
	amcheckOnce.Do(func() {
		fmt.Printf("database check: amcheck verify_heapam over %d tables, bt_index_check (heapallindexed) over %d indexes\n", len(tables), indexes)
	})
	return nil
}

var amcheckOnce sync.Once
