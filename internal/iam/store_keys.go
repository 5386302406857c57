package iam

import (
	"context"
	"encoding/json"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// accessKeyRow is a long-term key; UserID "" is the account root.
type accessKeyRow struct {
	ID        string
	AccountID string
	UserID    string
	Status    string
	Sealed    []byte
	CreatedAt time.Time
}

const accessKeyColumns = `id, account_id, user_id, status, sealed_secret, created_at`

func scanAccessKey(sc scanner) (*accessKeyRow, error) {
	var k accessKeyRow
	var created int64
	if err := sc.Scan(&k.ID, &k.AccountID, &k.UserID, &k.Status, &k.Sealed, &created); err != nil {
		return nil, err
	}
	k.CreatedAt = store.Time(created)
	return &k, nil
}

// sealSecret seals a secret bound to its key ID.
func (s *Store) sealSecret(keyID string, secret []byte) ([]byte, error) {
	return s.sealer.Seal(secret, []byte(keyID))
}

func (s *Store) insertAccessKey(ctx context.Context, q querier, k *accessKeyRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_access_keys (`+accessKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ID, k.AccountID, k.UserID, k.Status, k.Sealed, store.Nanos(k.CreatedAt))
	return err
}

func (s *Store) getAccessKey(ctx context.Context, q querier, id string) (*accessKeyRow, error) {
	return store.QueryOne(ctx, q, scanAccessKey, `SELECT `+accessKeyColumns+` FROM iam_access_keys WHERE id = $1`, id)
}

func (s *Store) listAccessKeys(ctx context.Context, q querier, acct, userID string) ([]*accessKeyRow, error) {
	return store.QueryAll(ctx, q, scanAccessKey, `SELECT `+accessKeyColumns+` FROM iam_access_keys WHERE account_id = $1 AND user_id = $2 ORDER BY created_at, id`, acct, userID)
}

func (s *Store) setAccessKeyStatus(ctx context.Context, q querier, id, status string) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_access_keys SET status = $1 WHERE id = $2`, status, id)
	s.wrote(q)
	return err
}

func (s *Store) deleteAccessKey(ctx context.Context, q querier, id string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM iam_access_keys WHERE id = $1`, id)
	s.wrote(q)
	return err
}

// sessionRow is a set of temporary credentials.
type sessionRow struct {
	ID                string
	AccountID         string
	RoleID            string
	UserID            string
	SessionName       string
	SessionPolicy     string
	SessionPolicyARNs []string
	Sealed            []byte
	TokenHash         string
	CreatedAt         time.Time // aws:TokenIssueTime
	ExpiresAt         time.Time
	MFAAt             time.Time // when an MFA code was verified; zero if never
}

// sessionSecrets is what the sealed column of a session holds.
type sessionSecrets struct {
	Secret string `json:"s"`
	Token  string `json:"t"`
}

const sessionColumns = `id, account_id, role_id, user_id, session_name, session_policy, session_policy_arns, sealed, token_hash, created_at, expires_at, mfa_at`

func (s *Store) insertSession(ctx context.Context, q querier, r *sessionRow) error {
	var arns string
	if len(r.SessionPolicyARNs) > 0 {
		b, err := json.Marshal(r.SessionPolicyARNs)
		if err != nil {
			return err
		}
		arns = string(b)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO iam_sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.AccountID, r.RoleID, r.UserID, r.SessionName, r.SessionPolicy, arns, r.Sealed, r.TokenHash,
		store.Nanos(r.CreatedAt), store.Nanos(r.ExpiresAt), mfaNanos(r.MFAAt))
	return err
}

func scanSession(sc scanner) (*sessionRow, error) {
	var r sessionRow
	var arns string
	var created, expires, mfa int64
	if err := sc.Scan(&r.ID, &r.AccountID, &r.RoleID, &r.UserID, &r.SessionName, &r.SessionPolicy, &arns, &r.Sealed, &r.TokenHash, &created, &expires, &mfa); err != nil {
		return nil, err
	}
	if arns != "" {
		if err := json.Unmarshal([]byte(arns), &r.SessionPolicyARNs); err != nil {
			return nil, err
		}
	}
	r.CreatedAt, r.ExpiresAt = store.Time(created), store.Time(expires)
	if mfa != 0 {
		r.MFAAt = store.Time(mfa)
	}
	return &r, nil
}

func (s *Store) getSession(ctx context.Context, q querier, id string) (*sessionRow, error) {
	return store.QueryOne(ctx, q, scanSession, `SELECT `+sessionColumns+` FROM iam_sessions WHERE id = $1`, id)
}

// purgeSessions drops sessions that expired before cutoff.
func (s *Store) purgeSessions(ctx context.Context, q querier, cutoff time.Time) error {
	_, err := q.ExecContext(ctx, `DELETE FROM iam_sessions WHERE expires_at < $1`, store.Nanos(cutoff))
	return err
}

// mfaNanos stores a zero time as 0 ("never").
func mfaNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return store.Nanos(t)
}
