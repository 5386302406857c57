package store

import (
	"context"
	"database/sql"
)

// ResealBlobs rewrites sealed values inside tx for a master-key rotation.
// query selects (id, context, blob) rows; for each non-empty blob, reseal
// returns the new blob, or changed=false to leave the row alone; update
// stores it with $1 = new blob and $2 = id. Rows are read in full before
// any update, so the statements do not interleave on one connection. It
// returns how many rows were rewritten.
func ResealBlobs(ctx context.Context, tx *sql.Tx, query, update string,
	reseal func(id, context string, blob []byte) (out []byte, changed bool, err error)) (int, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return 0, err
	}
	type row struct {
		id, context string
		blob        []byte
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.context, &r.blob); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range all {
		if len(r.blob) == 0 {
			continue // destroyed, or never generated
		}
		out, changed, err := reseal(r.id, r.context, r.blob)
		if err != nil {
			return 0, err
		}
		if !changed {
			continue
		}
		if _, err := tx.ExecContext(ctx, update, out, r.id); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
