package trail

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// All of the trail's SQL.

// row is one stored event as one recipient account sees it.
type row struct {
	Account, Region, EventID string
	Time                     time.Time
	Name, Source, Username   string
	AccessKeyID, ReadOnly    string
	Resources                []Resource
	Record                   string
}

// insertRows writes a batch in one transaction: one commit (one fsync) for
// every event queued meanwhile, each statement prepared once per batch
// (parsing it per row would cost more than the row). A row with a Record
// also stores the record.
func insertRows(ctx context.Context, db *store.DB, rows []row) error {
	// Appends only: without the write lock, which IssueCertificate's
	// commits queued behind (docs/benchmarks.md).
	return db.AppendTx(ctx, func(tx *sql.Tx) error {
		// A retried batch finds its rows already there: ON CONFLICT.
		rec, err := tx.PrepareContext(ctx, `INSERT INTO trail_records (event_time, event_id, record) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer rec.Close()
		ev, err := tx.PrepareContext(ctx, `INSERT INTO trail_events (account_id, region, event_time, event_id, event_name, event_source, username, access_key_id, read_only, resources)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer ev.Close()
		for _, r := range rows {
			t := store.Nanos(r.Time)
			if r.Record != "" {
				if _, err := rec.ExecContext(ctx, t, r.EventID, r.Record); err != nil {
					return err
				}
			}
			if _, err := ev.ExecContext(ctx, r.Account, r.Region, t, r.EventID, r.Name, r.Source, r.Username,
				r.AccessKeyID, r.ReadOnly, encodeResources(r.Resources)); err != nil {
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
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("\n" + r.Type + "\t" + r.Name)
	}
	if len(rs) > 0 {
		b.WriteString("\n")
	}
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
	q := `SELECT e.event_id, e.event_time, e.event_name, e.event_source, e.username, e.access_key_id, e.read_only, e.resources, r.record
		FROM trail_events e JOIN trail_records r ON r.event_time = e.event_time AND r.event_id = e.event_id
		WHERE e.account_id = $1 AND e.region = $2 AND e.event_time >= $3 AND e.event_time <= $4`
	args := []any{account, region, store.Nanos(from), store.Nanos(to)}
	switch key {
	case "":
	case "ResourceName":
		// SQLite's LIKE ignores ASCII case: Lookup re-checks exactly.
		args = append(args, "%\t"+likeEscape(value)+"\n%")
		q += ` AND e.resources LIKE $5 ESCAPE '\'`
	case "ResourceType":
		args = append(args, "%\n"+likeEscape(value)+"\t%")
		q += ` AND e.resources LIKE $5 ESCAPE '\'`
	default:
		args = append(args, value)
		q += ` AND e.` + attrColumn[key] + ` = $5`
	}
	if cur != nil {
		n := len(args)
		args = append(args, cur.Time, cur.ID)
		q += ` AND (e.event_time < $` + itoa(n+1) + ` OR (e.event_time = $` + itoa(n+1) + ` AND e.event_id < $` + itoa(n+2) + `))`
	}
	args = append(args, limit)
	q += ` ORDER BY e.event_time DESC, e.event_id DESC LIMIT $` + itoa(len(args))
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
func deleteBefore(ctx context.Context, db *store.DB, cutoff time.Time) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM trail_records WHERE event_time < $1`, store.Nanos(cutoff)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM trail_events WHERE event_time < $1`, store.Nanos(cutoff))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
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
	if err := conn.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM old.trail_events) + (SELECT COUNT(*) FROM old.trail_records)`).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// "WHERE true" lets SQLite parse ON CONFLICT after a SELECT.
	for _, q := range []string{
		`INSERT INTO main.trail_records (event_time, event_id, record)
			SELECT event_time, event_id, record FROM old.trail_records WHERE true ON CONFLICT DO NOTHING`,
		`INSERT INTO main.trail_events (account_id, region, event_time, event_id, event_name, event_source, username, access_key_id, read_only, resources)
			SELECT account_id, region, event_time, event_id, event_name, event_source, username, access_key_id, read_only, resources
			FROM old.trail_events WHERE true ON CONFLICT DO NOTHING`,
		`DELETE FROM old.trail_records`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, err
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM old.trail_events`)
	if err != nil {
		return 0, err
	}
	if n, err = res.RowsAffected(); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}
