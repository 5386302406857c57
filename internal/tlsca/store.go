package tlsca

import (
	"context"
	"database/sql"
	"errors"

	"github.com/openpca/openpca/internal/store"
)

// Settings rows holding the internal TLS CA: its certificate (PEM) and its
// private key (PKCS#8, sealed by the master key, base64).
const (
	settingCert = "tls_ca_certificate"
	settingKey  = "tls_ca_key"
)

// loadOrInsert returns the stored CA, or stores the one made by create when
// there is none, in one write transaction so that servers sharing a database
// agree on one CA.
func loadOrInsert(ctx context.Context, db *store.DB, create func() (certPEM, sealedKey string, err error)) (certPEM, sealedKey string, err error) {
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, settingCert).Scan(&certPEM)
		if err == nil {
			return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, settingKey).Scan(&sealedKey)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if certPEM, sealedKey, err = create(); err != nil {
			return err
		}
		if err := store.SetSetting(ctx, tx, settingCert, certPEM); err != nil {
			return err
		}
		return store.SetSetting(ctx, tx, settingKey, sealedKey)
	})
	return certPEM, sealedKey, err
}
