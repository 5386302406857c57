package iam

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openpca/openpca/internal/keystore"
)

// sealedColumns are IAM's values sealed by the master key, each bound to
// its row's ID (the additional data every seal here uses).
var sealedColumns = []struct{ table, id, col string }{
	{"iam_access_keys", "id", "sealed_secret"},
	{"iam_sessions", "id", "sealed"},
	{"iam_mfa_devices", "serial", "sealed_seed"},
	{"iam_service_credentials", "id", "sealed_password"},
}

// ResealSecrets re-seals every IAM secret (access key secrets, session
// secrets and tokens, MFA seeds, service-specific passwords) from old to
// new inside tx, for a master-key rotation. It returns how many values it
// re-sealed per table; any value that does not open aborts with an error.
func ResealSecrets(ctx context.Context, tx *sql.Tx, old, new keystore.Sealer) (map[string]int, error) {
	n := map[string]int{}
	for _, c := range sealedColumns {
		rows, err := tx.QueryContext(ctx, `SELECT `+c.id+`, `+c.col+` FROM `+c.table+` ORDER BY `+c.id)
		if err != nil {
			return nil, err
		}
		type row struct {
			id     string
			sealed []byte
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.sealed); err != nil {
				rows.Close()
				return nil, err
			}
			all = append(all, r)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, r := range all {
			out, err := keystore.Reseal(old, new, r.sealed, []byte(r.id))
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", c.table, r.id, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.col+` = $1 WHERE `+c.id+` = $2`, out, r.id); err != nil {
				return nil, err
			}
		}
		n[c.table] = len(all)
	}
	return n, nil
}
