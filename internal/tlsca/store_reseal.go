package tlsca

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
)

// Reseal re-seals the internal TLS CA's private key from old to new inside
// tx, for a master-key rotation. It reports false when there is no internal
// CA yet (TLS never enabled).
func Reseal(ctx context.Context, tx *sql.Tx, old, new keystore.Sealer) (bool, error) {
	var sealed string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, settingKey).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return false, fmt.Errorf("tls ca key: %w", err)
	}
	out, err := keystore.Reseal(old, new, raw, []byte(keyAssociation))
	if err != nil {
		return false, fmt.Errorf("tls ca key: %w", err)
	}
	return true, store.SetSetting(ctx, tx, settingKey, base64.StdEncoding.EncodeToString(out))
}
