package store

import (
	"context"
	"database/sql"
	"time"
)

// TryLease takes the lease name for holder until now+ttl when it is free,
// expired at now, or already holder's (then it is extended); ok reports
// whether holder holds it. One conditional upsert: on PostgreSQL a
// concurrent taker waits for the row lock and then re-checks the
// condition against the committed row, so two servers never both get it.
// now comes from the caller's injected clock.
func (db *DB) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (ok bool, err error) {
	res, err := db.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.expires_at <= $4 OR leases.holder = excluded.holder`,
		name, holder, Nanos(now.Add(ttl)), Nanos(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseLease gives up holder's lease name; nothing when another server
// took it over meanwhile. A holder that dies never releases: its lease
// expires instead.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := db.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder)
	return err
}

// HoldsLease reports, inside the write transaction tx, whether holder
// still holds lease name at now, and keeps it held until tx ends (row
// lock on PostgreSQL, the single writer on SQLite): work done under the
// lease is committed only by its holder.
func HoldsLease(ctx context.Context, tx *sql.Tx, name, holder string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = expires_at
		WHERE name = $1 AND holder = $2 AND expires_at > $3`, name, holder, Nanos(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DropLeases removes every lease. Only for a store no live process holds
// leases in: the embedded store at the start of its one server, whose
// predecessor may have died holding some (they would block its work
// until they expire).
func (db *DB) DropLeases(ctx context.Context) error {
	_, err := db.ExecContext(ctx, `DELETE FROM leases`)
	return err
}
