package acm

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
)

// ResealKeys re-seals every managed or imported certificate's private key
// from old to new inside tx, for a master-key rotation, and returns how
// many it re-sealed.
func ResealKeys(ctx context.Context, tx *sql.Tx, old, new keystore.Sealer) (int, error) {
	return store.ResealBlobs(ctx, tx,
		`SELECT id, arn, key_blob FROM acm_certificates WHERE key_blob IS NOT NULL ORDER BY id`,
		`UPDATE acm_certificates SET key_blob = $1 WHERE id = $2`,
		func(_, arn string, blob []byte) ([]byte, bool, error) {
			out, err := keystore.Reseal(old, new, blob, keyAD(arn))
			if err != nil {
				return nil, false, fmt.Errorf("certificate %s: %w", arn, err)
			}
			return out, true, nil
		})
}
