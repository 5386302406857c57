package trail

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// All of the trail's SQL.

// row is one stored event as one recipient account sees it, with its
// record.
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

// insertRows writes a batch in one transaction: one commit for every
// event queued meanwhile, the statement prepared once per batch (parsing
// it per row would cost more than the row).
func insertRows(ctx context.Context, db *store.DB, rows []row) error {
	// Appends only: without the write lock, which IssueCertificate's
	// commits queued behind (docs/benchmarks.md).
	return db.AppendTx(ctx, func(tx *sql.Tx) error {
		// A retried batch finds its rows already there: ON CONFLICT.
		ins, err := tx.PrepareContext(ctx, `INSERT INTO trail_entries (account_id, region, event_time, event_id, event_name, event_source, username, access_key_id, read_only, resources, record)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, r := range rows {
			if _, err := ins.ExecContext(ctx, r.Account, r.Region, store.Nanos(r.Time), r.EventID, r.Name, r.Source, r.Username,
				r.AccessKeyID, r.ReadOnly, r.resourcesColumn, r.Record); err != nil {
				return err
			}
		}
		return nil
	})
}

// encodeResources keeps the resource list in one column: "\ntype\tname"
// per resource and a final "\n" (ARNs hold neither), so that LIKE finds
// "\ntype\t" and "\tname\n".
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

// likeEscape escapes LIKE's wildcards and the escape character itself.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
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

// attrColumn maps a lookup attribute to its column; ResourceName and
// ResourceType are matched in the resources column.
var attrColumn = map[string]string{
	"EventId":     "event_id",
	"EventName":   "event_name",
	"EventSource": "event_source",
	"Username":    "username",
	"AccessKeyId": "access_key_id",
	"ReadOnly":    "read_only",
}

// cursor is the position after the last event returned (newest first).
type cursor struct {
	Time int64
	ID   string
}

// queryRows returns up to limit events of account in region, newest first,
// within [from, to], after cur, matching the one attribute (key "" for none).
func queryRows(ctx context.Context, db *store.DB, account, region string, from, to time.Time, key, value string, cur *cursor, limit int) ([]row, error) {
	q := `SELECT event_id, event_time, event_name, event_source, username, access_key_id, read_only, resources, record
		FROM trail_entries
		WHERE account_id = $1 AND region = $2 AND event_time >= $3 AND event_time <= $4`
	args := []any{account, region, store.Nanos(from), store.Nanos(to)}
	switch key {
	case "":
	case "ResourceName":
		// SQLite's LIKE ignores ASCII case: Lookup re-checks exactly.
		args = append(args, "%\t"+likeEscape(value)+"\n%")
		q += ` AND resources LIKE $5 ESCAPE '\'`
	case "ResourceType":
		args = append(args, "%\n"+likeEscape(value)+"\t%")
		q += ` AND resources LIKE $5 ESCAPE '\'`
	default:
		args = append(args, value)
		q += ` AND ` + attrColumn[key] + ` = $5`
	}
	if cur != nil {
		n := len(args)
		args = append(args, cur.Time, cur.ID)
		q += ` AND (event_time < $` + itoa(n+1) + ` OR (event_time = $` + itoa(n+1) + ` AND event_id < $` + itoa(n+2) + `))`
	}
	args = append(args, limit)
	q += ` ORDER BY event_time DESC, event_id DESC LIMIT $` + itoa(len(args))
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		var t int64
		var res string
		if err := rows.Scan(&r.EventID, &t, &r.Name, &r.Source, &r.Username, &r.AccessKeyID, &r.ReadOnly, &res, &r.Record); err != nil {
			return nil, err
		}
		r.Account, r.Region, r.Time, r.Resources = account, region, store.Time(t), decodeResources(res)
		out = append(out, r)
	}
	return out, rows.Err()
}

// deleteBefore removes events older than cutoff; it returns how many.
// With no time index, it walks the key's (account, region) prefixes, each
// one seek, and deletes each prefix's old range, one transaction each so
// that the trail's writer never waits long.
func deleteBefore(ctx context.Context, db *store.DB, cutoff time.Time) (int64, error) {
	var total int64
	var account, region string
	for {
		err := db.QueryRowContext(ctx, `SELECT account_id, region FROM trail_entries
			WHERE (account_id, region) > ($1, $2) ORDER BY account_id, region LIMIT 1`, account, region).Scan(&account, &region)
		if errors.Is(err, sql.ErrNoRows) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		err = db.AppendTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM trail_entries WHERE account_id = $1 AND region = $2 AND event_time < $3`,
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

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
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
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM old.trail_entries`).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// "WHERE true" lets SQLite parse ON CONFLICT after a SELECT.
	if _, err := tx.ExecContext(ctx, `INSERT INTO main.trail_entries (account_id, region, event_time, event_id, event_name, event_source, username, access_key_id, read_only, resources, record)
		SELECT account_id, region, event_time, event_id, event_name, event_source, username, access_key_id, read_only, resources, record
		FROM old.trail_entries WHERE true ON CONFLICT DO NOTHING`); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM old.trail_entries`)
	if err != nil {
		return 0, err
	}
	if n, err = res.RowsAffected(); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}
