package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/tlsca"
)

// Key files of a rotation beside master.key: the new key is written to
// NewKeyFile before the database commits (so a crash right after the
// commit cannot lose it) and the replaced key is kept as OldKeyFile until
// the operator deletes it.
const (
	NewKeyFile = keystore.MasterKeyFile + ".new"
	OldKeyFile = keystore.MasterKeyFile + ".old"
)

// RotateOptions says which keys a rotation goes between.
type RotateOptions struct {
	DataDir string
	// Database is the postgres:// URL of a shared store; "" is the
	// embedded one in DataDir. Every server on it must be stopped: the
	// rotation refuses while another session is connected.
	Database string
	// MasterKey is the current key from $OPENPCA_MASTER_KEY; "" means the
	// key file in DataDir, which the rotation then replaces.
	MasterKey string
	// NewKey is the new key, base64 of 32 bytes.
	NewKey string
	// BeforeCommit, when set, runs after every check and before the
	// transaction; an error aborts with nothing changed. The command uses
	// it to print a generated key for $OPENPCA_MASTER_KEY users before the
	// data depends on it.
	BeforeCommit func() error
}

// RotateResult says what a rotation did.
type RotateResult struct {
	// Resealed counts the re-sealed values by table ("settings" for the
	// internal TLS CA's key).
	Resealed map[string]int
	// KeyFile and OldKeyFile are the new and the kept key files; "" when
	// the keys come from the environment.
	KeyFile, OldKeyFile string
	// Resumed: an earlier rotation had committed but not yet replaced the
	// key file; this run only finished the file step.
	Resumed bool
}

// RotateMasterKey re-seals every secret of the data directory from the
// current master key to opts.NewKey in one database transaction, then
// updates the key-check value and (for a key file) installs the new key.
// It needs the data directory to itself: it refuses while a server or an
// admin command has it open, and none can open it until it is done. Until
// the commit the current key stays the valid one; after it, only the new.
func RotateMasterKey(ctx context.Context, opts RotateOptions) (*RotateResult, error) {
	newKey, err := keystore.ParseMasterKey(opts.NewKey)
	if err != nil {
		return nil, fmt.Errorf("new %w", err)
	}
	if opts.Database == "" {
		if _, err := os.Stat(filepath.Join(opts.DataDir, store.FileName)); err != nil {
			return nil, fmt.Errorf("no OpenPCA database in %s: %w", opts.DataDir, err)
		}
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil { // the key files live here
		return nil, err
	}
	lock, err := lockDataDir(opts.DataDir, true)
	if err != nil {
		return nil, err
	}
	defer lock.release()
	db, err := store.Open(ctx, opts.Database, opts.DataDir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if db.Engine() == store.Postgres {
		// A server still running would go on sealing with the old key
		// after the commit; the data-dir lock cannot see other hosts.
		n, err := db.OtherSessions(ctx)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("%w: %d other session(s) are connected to the database; stop every server (and other clients) on it first", ErrDataDirInUse, n)
		}
	}
	check, err := db.Setting(ctx, settingMasterKeyCheck)
	if err != nil {
		return nil, err
	}

	fromFile := opts.MasterKey == ""
	keyPath := filepath.Join(opts.DataDir, keystore.MasterKeyFile)
	newPath := filepath.Join(opts.DataDir, NewKeyFile)
	oldPath := filepath.Join(opts.DataDir, OldKeyFile)
	res := &RotateResult{Resealed: map[string]int{}}
	if fromFile {
		res.KeyFile, res.OldKeyFile = keyPath, oldPath
		done, err := resumeRotation(check, keyPath, newPath, oldPath)
		if err != nil || done {
			res.Resumed = done
			return res, err
		}
	}

	oldKey, err := keystore.LoadMasterKey(keyPath, opts.MasterKey)
	if err != nil {
		return nil, fmt.Errorf("current master key: %w", err)
	}
	if check != "" && check != oldKey.CheckValue() {
		return nil, fmt.Errorf("current master key: %w (key-check value mismatch)", ErrWrongMasterKey)
	}
	if newKey.CheckValue() == oldKey.CheckValue() {
		return nil, errors.New("the new master key is the current one")
	}
	if fromFile {
		if _, err := os.Stat(oldPath); err == nil {
			return nil, fmt.Errorf("%s still holds the key an earlier rotation replaced: delete it once no backup needs it, then rotate again", oldPath)
		}
		if err := writeKeyFile(newPath, strings.TrimSpace(opts.NewKey)); err != nil {
			return nil, fmt.Errorf("write the new key: %w", err)
		}
	}

	if opts.BeforeCommit != nil {
		err = opts.BeforeCommit()
	}
	if err == nil {
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			return resealAll(ctx, tx, oldKey, newKey, res.Resealed)
		})
	}
	if err != nil && fromFile {
		// A commit error can hide a commit: keep the new key if it is in use.
		if now, cerr := db.Setting(ctx, settingMasterKeyCheck); cerr == nil && now == newKey.CheckValue() {
			err = nil
		} else {
			os.Remove(newPath)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("rotation rolled back, the current master key stays valid: %w", err)
	}
	if fromFile {
		if err := installNewKey(keyPath, newPath, oldPath); err != nil {
			return nil, fmt.Errorf("the database is sealed by the new key, but installing %s failed (run the rotation again to finish): %w", newPath, err)
		}
	}
	return res, nil
}

// resealAll is the rotation's one transaction: every package's sealed
// values, then the key-check value.
func resealAll(ctx context.Context, tx *sql.Tx, oldKey, newKey *keystore.MasterKey, n map[string]int) error {
	byTable, err := iam.ResealSecrets(ctx, tx, oldKey, newKey)
	if err != nil {
		return err
	}
	for t, c := range byTable {
		n[t] = c
	}
	if n["pca_cas"], err = pca.ResealKeys(ctx, tx, oldKey, newKey); err != nil {
		return err
	}
	if n["acm_certificates"], err = acm.ResealKeys(ctx, tx, oldKey, newKey); err != nil {
		return err
	}
	tls, err := tlsca.Reseal(ctx, tx, oldKey, newKey)
	if err != nil {
		return err
	}
	if tls {
		n["settings"] = 1
	}
	return store.SetSetting(ctx, tx, settingMasterKeyCheck, newKey.CheckValue())
}

// resumeRotation finishes a rotation that committed but stopped before its
// key file step (NewKeyFile matches the stored check value), and removes a
// NewKeyFile left by one that never committed.
func resumeRotation(check, keyPath, newPath, oldPath string) (bool, error) {
	data, err := os.ReadFile(newPath)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	k, err := keystore.ParseMasterKey(string(data))
	if err == nil && check != "" && k.CheckValue() == check {
		return true, installNewKey(keyPath, newPath, oldPath)
	}
	return false, os.Remove(newPath)
}

// installNewKey keeps the replaced key as oldPath (a hard link, so
// master.key exists at every instant) and renames the new key over
// master.key.
func installNewKey(keyPath, newPath, oldPath string) error {
	if _, err := os.Stat(oldPath); errors.Is(err, os.ErrNotExist) {
		if err := os.Link(keyPath, oldPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("keep the old key: %w", err)
		}
	}
	if err := os.Rename(newPath, keyPath); err != nil {
		return err
	}
	return syncDir(filepath.Dir(keyPath))
}

// writeKeyFile writes a key in the key file's form, 0600, durably; it
// never replaces an existing file.
func writeKeyFile(path, b64 string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b64 + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
