package pca

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openpca/openpca/internal/keystore"
)

// ResealKeys re-seals every CA private key kept as a software blob (also
// those of deleted CAs still restorable) from old to new inside tx, for a
// master-key rotation. Keys held by other key stores (PKCS #11) are not
// sealed by the master key and stay as they are. It returns how many
// blobs it re-sealed.
func ResealKeys(ctx context.Context, tx *sql.Tx, old, new keystore.Sealer) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, key_handle, key_blob FROM pca_cas WHERE key_handle <> '' ORDER BY id`)
	if err != nil {
		return 0, err
	}
	type row struct {
		id, handle string
		blob       []byte
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.handle, &r.blob); err != nil {
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
		out, changed, err := keystore.ResealKey(old, new, r.handle, r.blob)
		if err != nil {
			return 0, fmt.Errorf("certificate authority %s: %w", r.id, err)
		}
		if !changed {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pca_cas SET key_blob = $1 WHERE id = $2`, out, r.id); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
