package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// Setting returns a server-wide setting, "" when unset.
func (db *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting stores a server-wide setting inside tx.
func SetSetting(ctx context.Context, tx *sql.Tx, name, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}

// SharedKey returns the 32-byte random key called name, created on first
// use. Servers sharing the database, and a restarted one, sign and check
// their page tokens with the same key.
func (db *DB) SharedKey(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh) // crypto/rand never fails (Go ≥ 1.24)
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, hex.EncodeToString(fresh))
		return err
	}); err != nil {
		return nil, err
	}
	v, err := db.Setting(ctx, name)
	if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("setting %s: not a 32-byte hex key", name)
	}
	return k, nil
}
