package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
)

// settingMasterKeyCheck holds the master key's key-check value.
const settingMasterKeyCheck = "master_key_check"

// ErrWrongMasterKey: the master key given is not the one that sealed the
// data directory's secrets.
var ErrWrongMasterKey = errors.New("the master key does not match this data directory")

// openMasterKey loads the master key and checks it against the key-check
// value stored in db, so that a wrong key refuses to start instead of
// failing on the first sealed secret (or, worse, a missing key file being
// silently replaced by a new key). A new key is created only for a database
// that holds nothing sealed yet.
func openMasterKey(ctx context.Context, db *store.DB, cfg Config) (*keystore.MasterKey, error) {
	path := filepath.Join(cfg.DataDir, keystore.MasterKeyFile)
	check, err := db.Setting(ctx, settingMasterKeyCheck)
	if err != nil {
		return nil, err
	}
	// A bootstrapped database from before key-check values also has
	// sealed secrets: never create a key for it either.
	mgmt, err := db.Setting(ctx, settingManagementAccount)
	if err != nil {
		return nil, err
	}
	load := keystore.LoadOrCreateMasterKey
	if check != "" || mgmt != "" {
		load = keystore.LoadMasterKey
	}
	mk, err := load(path, cfg.MasterKey)
	if err != nil {
		return nil, fmt.Errorf("master key: %w (the data directory %s already holds secrets sealed by its key)", err, cfg.DataDir)
	}
	switch {
	case check == "":
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			return store.SetSetting(ctx, tx, settingMasterKeyCheck, mk.CheckValue())
		}); err != nil {
			return nil, err
		}
	case check != mk.CheckValue():
		if interruptedRotation(cfg.DataDir, check) {
			return nil, fmt.Errorf("%w: a master-key rotation committed but did not install %s; run `openpca admin rotate-master-key` again to finish it",
				ErrWrongMasterKey, filepath.Join(cfg.DataDir, NewKeyFile))
		}
		return nil, fmt.Errorf("%w (key-check value mismatch): give the key that sealed it, in %s or $%s; refusing to start",
			ErrWrongMasterKey, path, keystore.MasterKeyEnv)
	}
	return mk, nil
}

// interruptedRotation reports whether the data directory's NewKeyFile is
// the key the database is sealed by.
func interruptedRotation(dir, check string) bool {
	data, err := os.ReadFile(filepath.Join(dir, NewKeyFile))
	if err != nil {
		return false
	}
	k, err := keystore.ParseMasterKey(string(data))
	return err == nil && k.CheckValue() == check
}
