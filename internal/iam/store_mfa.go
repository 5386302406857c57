package iam

import (
	"context"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// mfaRow is one virtual MFA device.
type mfaRow struct {
	Serial    string
	AccountID string
	Name      string
	Path      string
	Sealed    []byte // the base32 seed, sealed with the serial as additional data
	UserID    string // "" while unassigned
	EnabledAt time.Time
	LastStep  int64
	Drift     int64
	CreatedAt time.Time
}

const mfaColumns = `serial, account_id, name, path, sealed_seed, user_id, enabled_at, last_step, drift, created_at`

func scanMFA(sc scanner) (*mfaRow, error) {
	var m mfaRow
	var enabled, created int64
	if err := sc.Scan(&m.Serial, &m.AccountID, &m.Name, &m.Path, &m.Sealed, &m.UserID, &enabled, &m.LastStep, &m.Drift, &created); err != nil {
		return nil, err
	}
	if enabled != 0 {
		m.EnabledAt = store.Time(enabled)
	}
	m.CreatedAt = store.Time(created)
	return &m, nil
}

func (s *Store) insertMFA(ctx context.Context, q querier, m *mfaRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_mfa_devices (`+mfaColumns+`, name_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		m.Serial, m.AccountID, m.Name, m.Path, m.Sealed, m.UserID, int64(0), m.LastStep, m.Drift, store.Nanos(m.CreatedAt), strings.ToLower(m.Name))
	return err
}

func (s *Store) mfaNameTaken(ctx context.Context, q querier, acct, name string) (bool, error) {
	n, err := count(ctx, q, `SELECT COUNT(*) FROM iam_mfa_devices WHERE account_id = $1 AND name_lower = $2`, acct, strings.ToLower(name))
	return n > 0, err
}

func (s *Store) getMFA(ctx context.Context, q querier, serial string) (*mfaRow, error) {
	return store.QueryOne(ctx, q, scanMFA, `SELECT `+mfaColumns+` FROM iam_mfa_devices WHERE serial = $1`, serial)
}

func (s *Store) listMFA(ctx context.Context, q querier, acct string) ([]*mfaRow, error) {
	return store.QueryAll(ctx, q, scanMFA, `SELECT `+mfaColumns+` FROM iam_mfa_devices WHERE account_id = $1 ORDER BY serial`, acct)
}

func (s *Store) userMFA(ctx context.Context, q querier, userID string) ([]*mfaRow, error) {
	return store.QueryAll(ctx, q, scanMFA, `SELECT `+mfaColumns+` FROM iam_mfa_devices WHERE user_id = $1 ORDER BY serial`, userID)
}

// assignMFA enables an unassigned device for a user; false when another
// request assigned it first.
func (s *Store) assignMFA(ctx context.Context, q querier, serial, userID string, at time.Time, step int64) (bool, error) {
	return execAffected(ctx, q, `UPDATE iam_mfa_devices SET user_id = $1, enabled_at = $2, last_step = $3, drift = 0 WHERE serial = $4 AND user_id = ''`,
		userID, store.Nanos(at), step, serial)
}

// unassignMFA deactivates a device of a user.
func (s *Store) unassignMFA(ctx context.Context, q querier, serial, userID string) (bool, error) {
	return execAffected(ctx, q, `UPDATE iam_mfa_devices SET user_id = '', enabled_at = 0 WHERE serial = $1 AND user_id = $2`, serial, userID)
}

// useMFAStep records step as the last accepted one, only if it is newer:
// false means the code was already used (or a newer one was).
func (s *Store) useMFAStep(ctx context.Context, q querier, serial string, step, drift int64) (bool, error) {
	return execAffected(ctx, q, `UPDATE iam_mfa_devices SET last_step = $1, drift = $2 WHERE serial = $3 AND last_step < $1`, step, drift, serial)
}

func (s *Store) deleteMFA(ctx context.Context, q querier, serial string) (bool, error) {
	return execAffected(ctx, q, `DELETE FROM iam_mfa_devices WHERE serial = $1 AND user_id = ''`, serial)
}

// countUserMFA counts the devices enabled for a user.
func (s *Store) countUserMFA(ctx context.Context, q querier, userID string) (int, error) {
	return count(ctx, q, `SELECT COUNT(*) FROM iam_mfa_devices WHERE user_id = $1`, userID)
}

// deleteAllTags removes every tag of id.
func (s *Store) deleteAllTags(ctx context.Context, q querier, id string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM iam_tags WHERE entity_id = $1`, id)
	s.wrote(q)
	return err
}
