package console

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// sessionStore keeps console sessions and sign-in throttling state in the
// shared database (migration 0020).
type sessionStore struct{ db *store.DB }

type sessionRow struct {
	ID            string
	AccountID     string
	UserName      string
	PrincipalJSON string
	CSRF          string
	RoleKeyID     string
	RoleDisplay   string
	MustChange    bool
	CreatedAt     time.Time
	LastSeenAt    time.Time
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (s sessionStore) insert(ctx context.Context, r *sessionRow) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO console_sessions (id, account_id, user_name, principal_json, csrf_token,
			role_key_id, role_display, must_change, created_at, last_seen_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
			r.ID, r.AccountID, r.UserName, r.PrincipalJSON, r.CSRF, r.RoleKeyID, r.RoleDisplay, b2i(r.MustChange),
			store.Nanos(r.CreatedAt), store.Nanos(r.LastSeenAt))
		return err
	})
}

func (s sessionStore) get(ctx context.Context, id string) (*sessionRow, error) {
	r := &sessionRow{ID: id}
	var must, created, seen int64
	err := s.db.QueryRowContext(ctx, `SELECT account_id, user_name, principal_json, csrf_token, role_key_id, role_display,
		must_change, created_at, last_seen_at FROM console_sessions WHERE id = $1`, id).
		Scan(&r.AccountID, &r.UserName, &r.PrincipalJSON, &r.CSRF, &r.RoleKeyID, &r.RoleDisplay, &must, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.MustChange = must != 0
	r.CreatedAt, r.LastSeenAt = time.Unix(0, created).UTC(), time.Unix(0, seen).UTC()
	return r, nil
}

func (s sessionStore) touch(ctx context.Context, id string, at time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE console_sessions SET last_seen_at = $1 WHERE id = $2`, store.Nanos(at), id)
		return err
	})
}

func (s sessionStore) setRole(ctx context.Context, id, keyID, display string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE console_sessions SET role_key_id = $1, role_display = $2 WHERE id = $3`, keyID, display, id)
		return err
	})
}

func (s sessionStore) clearMustChange(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE console_sessions SET must_change = 0 WHERE id = $1`, id)
		return err
	})
}

func (s sessionStore) delete(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE id = $1`, id)
		return err
	})
}

// purge removes sessions past either expiry.
func (s sessionStore) purge(ctx context.Context, idleBefore, createdBefore time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE last_seen_at < $1 OR created_at < $2`,
			store.Nanos(idleBefore), store.Nanos(createdBefore))
		return err
	})
}

type throttleRow struct {
	Failures    int64
	WindowStart time.Time
	LockedUntil time.Time
}

func (s sessionStore) throttle(ctx context.Context, key string) (*throttleRow, error) {
	var f, ws, lu int64
	err := s.db.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM console_signin_throttle WHERE throttle_key = $1`, key).
		Scan(&f, &ws, &lu)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &throttleRow{Failures: f, WindowStart: time.Unix(0, ws).UTC(), LockedUntil: time.Unix(0, lu).UTC()}, nil
}

// recordFailure counts one failure for key inside a window of length
// window; reaching limit locks the key for lock.
func (s sessionStore) recordFailure(ctx context.Context, key string, now time.Time, window time.Duration, limit int64, lock time.Duration) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var f, ws, lu int64
		err := tx.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM console_signin_throttle WHERE throttle_key = $1`, key).
			Scan(&f, &ws, &lu)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			f, ws, lu = 0, store.Nanos(now), 0
		case err != nil:
			return err
		}
		if now.Sub(time.Unix(0, ws)) > window {
			f, ws = 0, store.Nanos(now)
		}
		f++
		if f >= limit {
			lu = store.Nanos(now.Add(lock))
			f, ws = 0, store.Nanos(now)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO console_signin_throttle (throttle_key, failures, window_start, locked_until)
			VALUES ($1,$2,$3,$4) ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures,
			window_start = excluded.window_start, locked_until = excluded.locked_until`, key, f, ws, lu)
		return err
	})
}

func (s sessionStore) clearThrottle(ctx context.Context, key string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM console_signin_throttle WHERE throttle_key = $1`, key)
		return err
	})
}
