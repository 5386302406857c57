package iam

import (
	"context"
	"database/sql"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// loginProfileRow is a user's console password (hashed).
type loginProfileRow struct {
	UserID        string
	AccountID     string
	Hash          string
	ResetRequired bool
	CreatedAt     time.Time
	ChangedAt     time.Time
}

func scanLoginProfile(sc scanner) (*loginProfileRow, error) {
	var r loginProfileRow
	var reset, created, changed int64
	if err := sc.Scan(&r.UserID, &r.AccountID, &r.Hash, &reset, &created, &changed); err != nil {
		return nil, err
	}
	r.ResetRequired, r.CreatedAt, r.ChangedAt = reset != 0, store.Time(created), store.Time(changed)
	return &r, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (s *Store) loginProfile(ctx context.Context, q querier, userID string) (*loginProfileRow, error) {
	return store.QueryOne(ctx, q, scanLoginProfile, `SELECT user_id, account_id, password_hash, reset_required, created_at, changed_at FROM iam_login_profiles WHERE user_id = $1`, userID)
}

func (s *Store) insertLoginProfile(ctx context.Context, q querier, r *loginProfileRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_login_profiles (user_id, account_id, password_hash, reset_required, created_at, changed_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.UserID, r.AccountID, r.Hash, boolInt(r.ResetRequired), store.Nanos(r.CreatedAt), store.Nanos(r.ChangedAt))
	return err
}

// setPassword replaces a profile's hash (and its reset flag).
func (s *Store) setPassword(ctx context.Context, q querier, userID, hash string, reset bool, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_login_profiles SET password_hash = $1, reset_required = $2, changed_at = $3 WHERE user_id = $4`,
		hash, boolInt(reset), store.Nanos(at), userID)
	return err
}

func (s *Store) setResetRequired(ctx context.Context, q querier, userID string, reset bool) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_login_profiles SET reset_required = $1 WHERE user_id = $2`, boolInt(reset), userID)
	return err
}

// deleteLoginProfile deletes the profile and its password history.
func (s *Store) deleteLoginProfile(ctx context.Context, q querier, userID string) (bool, error) {
	if _, err := q.ExecContext(ctx, `DELETE FROM iam_password_history WHERE user_id = $1`, userID); err != nil {
		return false, err
	}
	return execAffected(ctx, q, `DELETE FROM iam_login_profiles WHERE user_id = $1`, userID)
}

// maxPasswordHistory is the most PasswordReusePrevention can ask for.
const maxPasswordHistory = 24

// recentPasswords returns a user's last n password hashes, newest first.
func (s *Store) recentPasswords(ctx context.Context, q querier, userID string, n int) ([]string, error) {
	return store.QueryAll(ctx, q, func(sc scanner) (string, error) {
		var h string
		err := sc.Scan(&h)
		return h, err
	}, `SELECT password_hash FROM iam_password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2`, userID, n)
}

// rememberPassword records a hash in the user's history, keeping the last
// maxPasswordHistory.
func (s *Store) rememberPassword(ctx context.Context, q querier, userID, hash string, at time.Time) error {
	// History is ordered by created_at: two changes in the same nanosecond
	// (a coarse or fake clock) must still be ordered, newest last.
	var latest sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(created_at) FROM iam_password_history WHERE user_id = $1`, userID).Scan(&latest); err != nil {
		return err
	}
	ns := store.Nanos(at)
	if latest.Valid && ns <= latest.Int64 {
		ns = latest.Int64 + 1
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO iam_password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)`, userID, hash, ns); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `DELETE FROM iam_password_history WHERE user_id = $1 AND created_at NOT IN
		(SELECT created_at FROM iam_password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2)`, userID, maxPasswordHistory)
	return err
}

// passwordPolicyRow is an account's password policy.
type passwordPolicyRow struct {
	MinLength        int
	RequireSymbols   bool
	RequireNumbers   bool
	RequireUppercase bool
	RequireLowercase bool
	AllowChange      bool
	MaxAge           int   // days; 0 = passwords do not expire
	ReusePrevention  int   // 0 = reuse allowed
	HardExpiry       *bool // nil when not given
}

func (s *Store) passwordPolicy(ctx context.Context, q querier, acct string) (*passwordPolicyRow, error) {
	return store.QueryOne(ctx, q, func(sc scanner) (*passwordPolicyRow, error) {
		var p passwordPolicyRow
		var sym, num, up, low, allow, hard int64
		if err := sc.Scan(&p.MinLength, &sym, &num, &up, &low, &allow, &p.MaxAge, &p.ReusePrevention, &hard); err != nil {
			return nil, err
		}
		p.RequireSymbols, p.RequireNumbers, p.RequireUppercase, p.RequireLowercase, p.AllowChange = sym != 0, num != 0, up != 0, low != 0, allow != 0
		if hard >= 0 {
			h := hard != 0
			p.HardExpiry = &h
		}
		return &p, nil
	}, `SELECT min_length, require_symbols, require_numbers, require_uppercase, require_lowercase, allow_change, max_age, reuse_prevention, hard_expiry
		FROM iam_password_policies WHERE account_id = $1`, acct)
}

func (s *Store) putPasswordPolicy(ctx context.Context, q querier, acct string, p *passwordPolicyRow) error {
	hard := int64(-1)
	if p.HardExpiry != nil {
		hard = boolInt(*p.HardExpiry)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO iam_password_policies (account_id, min_length, require_symbols, require_numbers, require_uppercase, require_lowercase, allow_change, max_age, reuse_prevention, hard_expiry)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (account_id) DO UPDATE SET min_length = excluded.min_length, require_symbols = excluded.require_symbols,
			require_numbers = excluded.require_numbers, require_uppercase = excluded.require_uppercase, require_lowercase = excluded.require_lowercase,
			allow_change = excluded.allow_change, max_age = excluded.max_age, reuse_prevention = excluded.reuse_prevention, hard_expiry = excluded.hard_expiry`,
		acct, p.MinLength, boolInt(p.RequireSymbols), boolInt(p.RequireNumbers), boolInt(p.RequireUppercase), boolInt(p.RequireLowercase),
		boolInt(p.AllowChange), p.MaxAge, p.ReusePrevention, hard)
	return err
}

func (s *Store) deletePasswordPolicy(ctx context.Context, q querier, acct string) (bool, error) {
	return execAffected(ctx, q, `DELETE FROM iam_password_policies WHERE account_id = $1`, acct)
}
