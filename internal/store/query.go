package store

import (
	"context"
	"database/sql"
	"errors"
)

// Querier is a *sql.DB, *sql.Tx or *DB: what the domain stores read
// through.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Scanner is a *sql.Row or *sql.Rows; row scanners take it so one
// function serves single-row and many-row reads.
type Scanner = interface{ Scan(...any) error }

// QueryOne runs a single-row query and scans it; nil, nil when no row
// matches.
func QueryOne[T any](ctx context.Context, q Querier, scan func(Scanner) (*T, error), query string, args ...any) (*T, error) {
	v, err := scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// QueryAll runs a query and scans every row.
func QueryAll[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
