package server

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

const (
	rotKeyID  = "AKIAOPENPCAROTATE001"
	rotSecret = "rotateSecretAccessKeyForTests00000000000"
)

// rotationDir makes a data directory with a root key and the internal TLS
// CA, closed again; it returns the directory and its key file's content.
func rotationDir(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	app, err := Open(ctx, Config{DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Bootstrap(ctx, BootstrapSpec{AccountID: "111122223333", AccessKeyID: rotKeyID, SecretAccessKey: rotSecret}, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := app.EnableTLS(tctx, TLSOptions{Names: []string{"127.0.0.1"}}); err != nil {
		t.Fatal(err)
	}
	app.Close()
	key, err := os.ReadFile(filepath.Join(dir, keystore.MasterKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	return dir, strings.TrimSpace(string(key))
}

func newKeyB64(t *testing.T) (*keystore.MasterKey, string) {
	t.Helper()
	k, b64, err := keystore.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	return k, b64
}

// wantRootSecret opens dir with env ("" = the key file) and checks the root
// key's secret opens.
func wantRootSecret(t *testing.T, dir, env string) {
	t.Helper()
	app, err := Open(context.Background(), Config{DataDir: dir, MasterKey: env, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	k, err := app.IAMStore.LookupCredential(context.Background(), rotKeyID)
	if err != nil || k == nil || k.SecretAccessKey != rotSecret {
		t.Fatalf("root key after rotation: %+v, %v", k, err)
	}
}

func fileKey(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestRotateNeedsTheDataDirToItself: no rotation while a process has the
// data directory open, and no open while a rotation holds it.
func TestRotateNeedsTheDataDirToItself(t *testing.T) {
	ctx := context.Background()
	dir, _ := rotationDir(t)
	app, err := Open(ctx, Config{DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	_, b64 := newKeyB64(t)
	_, err = RotateMasterKey(ctx, RotateOptions{DataDir: dir, NewKey: b64})
	if !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), "stop every process") {
		t.Fatalf("rotation beside an open server: %v", err)
	}
	app.Close()

	l, err := lockDataDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, Config{DataDir: dir, Logger: quiet()})
	l.release()
	if !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), "rotate-master-key, migrate-store") {
		t.Fatalf("open during a rotation: %v", err)
	}
	if _, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, NewKey: b64}); err != nil {
		t.Fatal(err)
	}
}

// TestRotateKeyFile: the new key is installed 0600, the old one kept as
// master.key.old; the old key no longer starts the server; a second
// rotation waits until the operator has deleted master.key.old.
func TestRotateKeyFile(t *testing.T) {
	ctx := context.Background()
	dir, oldB64 := rotationDir(t)
	newK, b64 := newKeyB64(t)
	res, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, NewKey: b64})
	if err != nil {
		t.Fatal(err)
	}
	// bootstrap root key + TLS CA key, at least
	if res.Resealed["iam_access_keys"] < 1 || res.Resealed["settings"] != 1 || res.Resumed {
		t.Fatalf("result %+v", res)
	}
	keyPath := filepath.Join(dir, keystore.MasterKeyFile)
	if got := fileKey(t, keyPath); got != b64 {
		t.Fatal("master.key is not the new key")
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master.key mode: %v %v", fi.Mode(), err)
	}
	if got := fileKey(t, filepath.Join(dir, OldKeyFile)); got != oldB64 {
		t.Fatal("master.key.old is not the old key")
	}
	if _, err := os.Stat(filepath.Join(dir, NewKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("master.key.new left behind")
	}
	wantRootSecret(t, dir, "")
	if _, err := Open(ctx, Config{DataDir: dir, MasterKey: oldB64, Logger: quiet()}); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("old key: %v", err)
	}
	if c, _ := checkValue(t, dir); c != newK.CheckValue() {
		t.Fatal("check value not updated")
	}

	_, b64b := newKeyB64(t)
	if _, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, NewKey: b64b}); err == nil || !strings.Contains(err.Error(), OldKeyFile) {
		t.Fatalf("second rotation with master.key.old present: %v", err)
	}
	if _, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, NewKey: b64}); err == nil || !strings.Contains(err.Error(), "current") {
		t.Fatalf("rotation to the same key: %v", err)
	}
}

func checkValue(t *testing.T, dir string) (string, error) {
	t.Helper()
	l, err := lockDataDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	db, err := openDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Setting(context.Background(), settingMasterKeyCheck)
}

// TestRotateEnvKey: with $OPENPCA_MASTER_KEY no file is written; the new
// key works from the environment and the old one is refused.
func TestRotateEnvKey(t *testing.T) {
	ctx := context.Background()
	dir, oldB64 := rotationDir(t)
	os.Remove(filepath.Join(dir, keystore.MasterKeyFile)) // env users keep no file
	_, b64 := newKeyB64(t)
	res, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, MasterKey: oldB64, NewKey: b64})
	if err != nil {
		t.Fatal(err)
	}
	if res.KeyFile != "" {
		t.Fatalf("key file %q for an env key", res.KeyFile)
	}
	for _, f := range []string{keystore.MasterKeyFile, NewKeyFile, OldKeyFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s written for an env key", f)
		}
	}
	wantRootSecret(t, dir, b64)
	if _, err := Open(ctx, Config{DataDir: dir, MasterKey: oldB64, Logger: quiet()}); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("old key: %v", err)
	}
	_, other := newKeyB64(t)
	if _, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, MasterKey: other, NewKey: oldB64}); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("rotation from a wrong current key: %v", err)
	}
}

// TestRotateAllOrNothing: a value that does not open (here the TLS CA key,
// re-sealed last) rolls the whole rotation back: the IAM secrets already
// re-sealed in the transaction, the check value and the key file stay as
// they were, and the old key still starts the server.
func TestRotateAllOrNothing(t *testing.T) {
	ctx := context.Background()
	dir, oldB64 := rotationDir(t)
	if err := corruptTLSKey(dir); err != nil {
		t.Fatal(err)
	}
	_, b64 := newKeyB64(t)
	_, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, NewKey: b64})
	if !errors.Is(err, keystore.ErrUnseal) || !strings.Contains(err.Error(), "rolled back") {
		t.Fatalf("rotation over a broken value: %v", err)
	}
	if got := fileKey(t, filepath.Join(dir, keystore.MasterKeyFile)); got != oldB64 {
		t.Fatal("master.key replaced by a failed rotation")
	}
	for _, f := range []string{NewKeyFile, OldKeyFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left by a failed rotation", f)
		}
	}
	wantRootSecret(t, dir, "")
}

// TestRotateResumesAfterTheCommit: a crash after the commit but before the
// key file moved leaves master.key.new; a start refuses and says so, and
// running the rotation again installs it without re-sealing.
func TestRotateResumesAfterTheCommit(t *testing.T) {
	ctx := context.Background()
	dir, oldB64 := rotationDir(t)
	_, b64 := newKeyB64(t)
	if _, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, NewKey: b64}); err != nil {
		t.Fatal(err)
	}
	// Back to the state right after the commit.
	keyPath := filepath.Join(dir, keystore.MasterKeyFile)
	if err := os.Rename(keyPath, filepath.Join(dir, NewKeyFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, OldKeyFile), keyPath); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, Config{DataDir: dir, Logger: quiet()})
	if !errors.Is(err, ErrWrongMasterKey) || !strings.Contains(err.Error(), "rotate-master-key") {
		t.Fatalf("start after an interrupted rotation: %v", err)
	}
	_, other := newKeyB64(t)
	res, err := RotateMasterKey(ctx, RotateOptions{DataDir: dir, NewKey: other})
	if err != nil || !res.Resumed {
		t.Fatalf("resume: %+v %v", res, err)
	}
	if fileKey(t, keyPath) != b64 || fileKey(t, filepath.Join(dir, OldKeyFile)) != oldB64 {
		t.Fatal("resumed rotation installed the wrong keys")
	}
	wantRootSecret(t, dir, "")
}

func openDB(dir string) (*store.DB, error) { return store.OpenSQLite(context.Background(), dir) }

// corruptTLSKey replaces the TLS CA's sealed key with bytes no key opens.
func corruptTLSKey(dir string) error {
	db, err := openDB(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`UPDATE settings SET value = $1 WHERE name = 'tls_ca_key'`, base64.StdEncoding.EncodeToString(make([]byte, 64)))
	return err
}

// TestRotateOnPostgres: --database rotates a shared store; it refuses while
// another session (a server) is connected, and afterwards only the new
// key opens the secrets (skipped without PostgreSQL).
func TestRotateOnPostgres(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	dir := t.TempDir()
	_, oldB64 := newKeyB64(t)
	app, err := Open(ctx, Config{DataDir: dir, Database: url, MasterKey: oldB64, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Bootstrap(ctx, BootstrapSpec{AccountID: "111122223333", AccessKeyID: rotKeyID, SecretAccessKey: rotSecret}, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	_, b64 := newKeyB64(t)
	other := t.TempDir() // another server's host: its own data directory
	if _, err := RotateMasterKey(ctx, RotateOptions{DataDir: other, Database: url, MasterKey: oldB64, NewKey: b64}); !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("rotation beside a running server: %v", err)
	}
	app.Close()
	if _, err := RotateMasterKey(ctx, RotateOptions{DataDir: other, Database: url, MasterKey: oldB64, NewKey: b64}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, Config{DataDir: dir, Database: url, MasterKey: oldB64, Logger: quiet()}); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("old key after rotation: %v", err)
	}
	app, err = Open(ctx, Config{DataDir: dir, Database: url, MasterKey: b64, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	k, err := app.IAMStore.LookupCredential(ctx, rotKeyID)
	if err != nil || k == nil || k.SecretAccessKey != rotSecret {
		t.Fatalf("root key after rotation: %+v, %v", k, err)
	}
}
