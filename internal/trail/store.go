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
// every event queued meanwhile.
func insertRows(ctx context.Context, db *store.DB, rows []row) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO trail_events (account_id, region, event_id, event_time, event_name, event_source, username, access_key_id, read_only, resources, record)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				r.Account, r.Region, r.EventID, store.Nanos(r.Time), r.Name, r.Source, r.Username, r.AccessKeyID, r.ReadOnly,
				encodeResources(r.Resources), r.Record); err != nil {
				if store.IsUniqueViolation(err) {
					continue // a retried batch
				}
				return err
			}
			for _, res := range r.Resources {
				if _, err := tx.ExecContext(ctx, `INSERT INTO trail_event_resources (account_id, region, event_id, resource_type, resource_name, event_time)
					VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
					r.Account, r.Region, r.EventID, res.Type, res.Name, store.Nanos(r.Time)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// encodeResources keeps the resource list in one column: type and name
// separated by a tab, one per line (ARNs hold neither).
func encodeResources(rs []Resource) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Type + "\t" + r.Name + "\n")
	}
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

// attrColumn maps a lookup attribute to its column; ResourceName and
// ResourceType are matched in trail_event_resources.
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
	q := `SELECT e.event_id, e.event_time, e.event_name, e.event_source, e.username, e.access_key_id, e.read_only, e.resources, e.record
		FROM trail_events e WHERE e.account_id = $1 AND e.region = $2 AND e.event_time >= $3 AND e.event_time <= $4`
	args := []any{account, region, store.Nanos(from), store.Nanos(to)}
	switch key {
	case "":
	case "ResourceName", "ResourceType":
		col := "resource_name"
		if key == "ResourceType" {
			col = "resource_type"
		}
		args = append(args, value)
		q += ` AND EXISTS (SELECT 1 FROM trail_event_resources r WHERE r.account_id = e.account_id AND r.region = e.region AND r.event_id = e.event_id AND r.` + col + ` = $5)`
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
		if _, err := tx.ExecContext(ctx, `DELETE FROM trail_event_resources WHERE event_time < $1`, store.Nanos(cutoff)); err != nil {
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
