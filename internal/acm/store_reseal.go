package acm

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openpca/openpca/internal/keystore"
)

// ResealKeys re-seals every managed or imported certificate's private key
// from old to new inside tx, for a master-key rotation, and returns how
// many it re-sealed.
func ResealKeys(ctx context.Context, tx *sql.Tx, old, new keystore.Sealer) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, arn, key_blob FROM acm_certificates WHERE key_blob IS NOT NULL ORDER BY id`)
	if err != nil {
		return 0, err
	}
	type row struct {
		id, arn string
		blob    []byte
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.arn, &r.blob); err != nil {
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
			continue
		}
		out, err := keystore.Reseal(old, new, r.blob, keyAD(r.arn))
		if err != nil {
			return 0, fmt.Errorf("certificate %s: %w", r.arn, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE acm_certificates SET key_blob = $1 WHERE id = $2`, out, r.id); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
