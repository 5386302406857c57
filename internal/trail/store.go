package trail

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// All of the trail's SQL.

// row is one event as one recipient account sees it, with its record.
type row struct {
	Account, Region, EventID string
	Time                     time.Time
	Name, Source, Username   string
	AccessKeyID, ReadOnly    string
	Resources                []Resource
	Record                   string
	// resourcesColumn is Resources encoded for writing (encodeResources),
	// once per event.
	resourcesColumn string
}

// insertRows writes a batch in one transaction, one chunk (one row) per
// account and region that sees its events (chunk.go).
func insertRows(ctx context.Context, db *store.DB, rows []row) error {
	chunks := chunksOf(rows)
	// Appends only: without the write lock, which IssueCertificate's
	// commits queued behind (docs/benchmarks.md).
	return db.AppendTx(ctx, func(tx *sql.Tx) error {
		for _, c := range chunks {
			// A retried batch finds its chunks already there.
			if _, err := tx.ExecContext(ctx, `INSERT INTO trail_chunks (account_id, region, last_time, chunk_id, first_time, events)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, c.account, c.region, c.last, c.id, c.first, c.events); err != nil {
				return err
			}
		}
		return nil
	})
}

// encodeResources keeps the resource list in one string: "\ntype\tname"
// per resource and a final "\n" (ARNs hold neither).
func encodeResources(rs []Resource) string {
	if len(rs) == 0 {
		return ""
	}
	n := 1
	for _, r := range rs {
		n += 2 + len(r.Type) + len(r.Name)
	}
	var b strings.Builder
	b.Grow(n)
	for _, r := range rs {
		b.WriteByte('\n')
		b.WriteString(r.Type)
		b.WriteByte('\t')
		b.WriteString(r.Name)
	}
	b.WriteByte('\n')
	return b.String()
}

func decodeResources(s string) []Resource {
	var out []Resource
	for line := range strings.SplitSeq(s, "\n") {
		typ, name, ok := strings.Cut(line, "\t")
		if ok {
			out = append(out, Resource{Type: typ, Name: name})
		}
	}
	return out
}

// lookupKeys are LookupEvents' attribute keys.
var lookupKeys = map[string]bool{"EventId": true, "EventName": true, "EventSource": true, "Username": true,
	"AccessKeyId": true, "ReadOnly": true, "ResourceName": true, "ResourceType": true}

// cursor is the position after the last event returned (newest first).
type cursor struct {
	Time int64
	ID   string
}

// queryRows returns up to limit events of account in region, newest first,
// within [from, to], after cur, matching the one attribute (key "" for none).
// Chunks come newest last event first; their times may overlap (a batch
// holds the calls that finished in it), so the walk goes on until the next
// chunk's newest event is older than the limit-th found.
func queryRows(ctx context.Context, db *store.DB, account, region string, from, to time.Time, key, value string, cur *cursor, limit int) ([]row, error) {
	f := newFilter(store.Nanos(from), store.Nanos(to), cur, key, value)
	q := `SELECT last_time, events FROM trail_chunks
		WHERE account_id = $1 AND region = $2 AND last_time >= $3 AND first_time <= $4`
	args := []any{account, region, f.from, f.to}
	if cur != nil {
		q += ` AND first_time <= $5`
		args = append(args, cur.Time)
	}
	q += ` ORDER BY last_time DESC, chunk_id DESC`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var last int64
		var events []byte
		if err := rows.Scan(&last, &events); err != nil {
			return nil, err
		}
		if len(out) >= limit && last < store.Nanos(out[limit-1].Time) {
			break
		}
		if out, err = decodeChunk(out, account, region, events, f); err != nil {
			return nil, err
		}
		slices.SortFunc(out, func(a, b row) int {
			return newer(store.Nanos(a.Time), a.EventID, store.Nanos(b.Time), b.EventID)
		})
		if len(out) > limit {
			out = out[:limit]
		}
	}
	return out, rows.Err()
}

// deleteBefore removes the chunks whose newest event is older than
// cutoff; it returns how many. It walks the key's (account, region)
// prefixes, each one seek, and deletes each prefix's old range, one
// transaction each so that the trail's writer never waits long.
func deleteBefore(ctx context.Context, db *store.DB, cutoff time.Time) (int64, error) {
	var total int64
	var account, region string
	for {
		err := db.QueryRowContext(ctx, `SELECT account_id, region FROM trail_chunks
			WHERE (account_id, region) > ($1, $2) ORDER BY account_id, region LIMIT 1`, account, region).Scan(&account, &region)
		if errors.Is(err, sql.ErrNoRows) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		err = db.AppendTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM trail_chunks WHERE account_id = $1 AND region = $2 AND last_time < $3`,
				account, region, store.Nanos(cutoff))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			total += n
			return err
		})
		if err != nil {
			return total, err
		}
	}
}

// adoptMain moves the events an older version kept in the main SQLite
// database (file mainPath) into db, the trail's own file, and deletes them
// there. A move cut short by a crash is redone at the next start without
// duplicates (ON CONFLICT), so the two files need no common transaction.
func adoptMain(ctx context.Context, db *store.DB, mainPath string) (int64, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE $1 AS old`, mainPath); err != nil {
		return 0, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE old`)
	var n int64
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM old.trail_chunks`).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// "WHERE true" lets SQLite parse ON CONFLICT after a SELECT.
	if _, err := tx.ExecContext(ctx, `INSERT INTO main.trail_chunks (account_id, region, last_time, chunk_id, first_time, events)
		SELECT account_id, region, last_time, chunk_id, first_time, events
		FROM old.trail_chunks WHERE true ON CONFLICT DO NOTHING`); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM old.trail_chunks`)
	if err != nil {
		return 0, err
	}
	if n, err = res.RowsAffected(); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}
