package pca

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
)

// ResealKeys re-seals every CA private key kept as a software blob (also
// those of deleted CAs still restorable) from old to new inside tx, for a
// master-key rotation. Keys held by other key stores (PKCS #11) are not
// sealed by the master key and stay as they are. It returns how many
// blobs it re-sealed.
func ResealKeys(ctx context.Context, tx *sql.Tx, old, new keystore.Sealer) (int, error) {
	return store.ResealBlobs(ctx, tx,
		`SELECT id, key_handle, key_blob FROM pca_cas WHERE key_handle <> '' ORDER BY id`,
		`UPDATE pca_cas SET key_blob = $1 WHERE id = $2`,
		func(id, handle string, blob []byte) ([]byte, bool, error) {
			out, changed, err := keystore.ResealKey(old, new, handle, blob)
			if err != nil {
				return nil, false, fmt.Errorf("certificate authority %s: %w", id, err)
			}
			return out, changed, nil
		})
}
