package org

import (
	"context"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// --- closed accounts

func (s *Store) closeAccount(ctx context.Context, q querier, orgID, accountID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_closed_accounts (account_id, org_id, closed_at) VALUES ($1, $2, $3)`,
		accountID, orgID, store.Nanos(at))
	return err
}

// countClosedSince counts the org's accounts closed at or after since.
func (s *Store) countClosedSince(ctx context.Context, q querier, orgID string, since time.Time) (int, error) {
	return s.countRows(ctx, q, `SELECT COUNT(*) FROM org_closed_accounts WHERE org_id = $1 AND closed_at >= $2`, orgID, store.Nanos(since))
}

// closedTTL bounds how long another server's CloseAccount may go unseen
// when its notification (notify.go) is lost; this server's own closures
// apply at once.
const closedTTL = time.Second

// closedCache remembers AccountClosed answers: the credential check asks
// on every request.
type closedCache struct {
	mu sync.Mutex
	m  map[string]closedEntry
}

type closedEntry struct {
	closed  bool
	expires time.Time
}

// AccountClosed reports whether CloseAccount closed the account.
func (s *Store) AccountClosed(ctx context.Context, accountID string) (bool, error) {
	now := s.clk.Now()
	c := &s.closed
	c.mu.Lock()
	e, ok := c.m[accountID]
	c.mu.Unlock()
	if ok && (e.closed || now.Before(e.expires)) {
		return e.closed, nil // closing is final
	}
	n, err := s.countRows(ctx, s.db, `SELECT COUNT(*) FROM org_closed_accounts WHERE account_id = $1`, accountID)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 100_000 {
		c.m = make(map[string]closedEntry)
	}
	c.m[accountID] = closedEntry{closed: n > 0, expires: now.Add(closedTTL)}
	c.mu.Unlock()
	return n > 0, nil
}

// markClosed records a closure this server made in the cache.
func (s *Store) markClosed(accountID string) {
	c := &s.closed
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]closedEntry)
	}
	c.m[accountID] = closedEntry{closed: true}
	c.mu.Unlock()
}

// forgetClosed drops the cached open answer for accountID ("" for every
// account) after another server's change; closed answers stay (closing
// is final).
func (s *Store) forgetClosed(accountID string) {
	c := &s.closed
	c.mu.Lock()
	defer c.mu.Unlock()
	if accountID != "" {
		if e, ok := c.m[accountID]; ok && !e.closed {
			delete(c.m, accountID)
		}
		return
	}
	for id, e := range c.m {
		if !e.closed {
			delete(c.m, id)
		}
	}
}

// --- delegated administrators

// isDelegate reports whether the account administers any service for the org.
func (s *Store) isDelegate(ctx context.Context, q querier, orgID, accountID string) (bool, error) {
	n, err := s.countRows(ctx, q, `SELECT COUNT(*) FROM org_delegated_admins WHERE org_id = $1 AND account_id = $2`, orgID, accountID)
	return n > 0, err
}

type delegationRow struct {
	AccountID, Service string
	EnabledAt          time.Time
}

func (s *Store) insertDelegation(ctx context.Context, q querier, orgID string, d *delegationRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_delegated_admins (org_id, account_id, service_principal, enabled_at) VALUES ($1, $2, $3, $4)`,
		orgID, d.AccountID, d.Service, store.Nanos(d.EnabledAt))
	return err
}

func (s *Store) deleteDelegation(ctx context.Context, q querier, accountID, service string) (bool, error) {
	r, err := q.ExecContext(ctx, `DELETE FROM org_delegated_admins WHERE account_id = $1 AND service_principal = $2`, accountID, service)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// deleteDelegationsFor drops every delegation of a service in the org.
func (s *Store) deleteDelegationsFor(ctx context.Context, q querier, orgID, service string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM org_delegated_admins WHERE org_id = $1 AND service_principal = $2`, orgID, service)
	return err
}

// delegations lists the org's delegations, of one account and/or one
// service when given, ordered by account then service.
func (s *Store) delegations(ctx context.Context, q querier, orgID, accountID, service string) ([]delegationRow, error) {
	query := `SELECT account_id, service_principal, enabled_at FROM org_delegated_admins WHERE org_id = $1`
	args := []any{orgID}
	if accountID != "" {
		args = append(args, accountID)
		query += ` AND account_id = $2`
	}
	if service != "" {
		args = append(args, service)
		if accountID != "" {
			query += ` AND service_principal = $3`
		} else {
			query += ` AND service_principal = $2`
		}
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY account_id, service_principal`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []delegationRow
	for rows.Next() {
		var d delegationRow
		var at int64
		if err := rows.Scan(&d.AccountID, &d.Service, &at); err != nil {
			return nil, err
		}
		d.EnabledAt = store.Time(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
