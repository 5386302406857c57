package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDatabaseFilesPrivate: the data dir is created 0700 and the database
// with its -wal and -shm files 0600 whatever the umask; looser files of an
// existing database are tightened (issue #16 item 6).
func TestDatabaseFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	db, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return SetSetting(ctx, tx, "x", "1") }); err != nil {
		t.Fatal(err)
	}
	check := func(name string, want os.FileMode) {
		t.Helper()
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", name, st.Mode().Perm(), want)
		}
	}
	check(".", 0o700)
	for _, f := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		check(f, 0o600)
	}
	db.Close()

	if err := os.Chmod(filepath.Join(dir, FileName), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(FileName, 0o600)
}
