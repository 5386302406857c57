package store

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

func TestAllowedBackupName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"openpca.db", true},
		{"trail.db", true},
		{"trail.db-wal", false},
		{"audit/bucket/audit-report/ca/r.json", true},
		{"master.key", false},
		{"aws/credentials", false},
		{"aws/config", false},
		{"audit", false},
		{"audit/", false},
		{"audit/../master.key", false},
		{"audit/./x", false},
		{"audit//x", false},
		{"/audit/x", false},
		{"audit\\x", false},
		{"openpca.db-wal", false},
		{"../openpca.db", false},
		{"audit/a\x00b", false},
	} {
		if got := allowedBackupName(tc.name); got != tc.ok {
			t.Errorf("allowedBackupName(%q) = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

// TestBackupUnderWritesRestores: a backup taken while another connection
// commits holds every row committed before it started, restores into an
// empty directory only, and carries neither the master key nor profiles.
func TestBackupUnderWritesRestores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, f := range []string{"master.key", "aws/credentials"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte("secret"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "audit", "b"), 0o700)
	os.WriteFile(filepath.Join(dir, "audit", "b", "r.json"), []byte("report"), 0o600)

	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.Tx(ctx, func(tx *sql.Tx) error { return SetSetting(ctx, tx, fmt.Sprintf("k%06d", i), "v") }); err != nil {
				t.Error(err)
				return
			}
			committed.Store(int64(i + 1))
		}
	}()
	for committed.Load() < 50 {
		runtime.Gosched()
	}
	before := committed.Load()
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	m, err := Backup(ctx, dir, file)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 2 || m.SchemaVersion == 0 {
		t.Fatalf("manifest %+v", m)
	}

	nonEmpty := t.TempDir()
	os.WriteFile(filepath.Join(nonEmpty, "x"), nil, 0o600)
	if _, err := Restore(ctx, file, nonEmpty); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("restore into non-empty dir: %v", err)
	}
	out := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, file, out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"master.key", "aws/credentials"} {
		if _, err := os.Stat(filepath.Join(out, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s restored: %v", f, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(out, "audit", "b", "r.json")); err != nil || string(b) != "report" {
		t.Errorf("audit file: %q %v", b, err)
	}
	rdb, err := OpenSQLite(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	for i := int64(0); i < before; i++ {
		if v, err := rdb.Setting(ctx, fmt.Sprintf("k%06d", i)); err != nil || v != "v" {
			t.Fatalf("row %d committed before the backup is missing: %q %v", i, v, err)
		}
	}
}

func archive(t testing.TB, entries ...[2]string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		tw.WriteHeader(&tar.Header{Name: e[0], Mode: 0o600, Size: int64(len(e[1])), Typeflag: tar.TypeReg})
		tw.Write([]byte(e[1]))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestExtractRefuses(t *testing.T) {
	man := [2]string{manifestName, `{"kind":"openpca-backup/v1"}`}
	db := [2]string{FileName, "x"}
	for name, data := range map[string][]byte{
		"not gzip":          []byte("hello"),
		"no manifest":       archive(t, db),
		"wrong kind":        archive(t, [2]string{manifestName, `{"kind":"other"}`}, db),
		"no database":       archive(t, man),
		"master key":        archive(t, man, db, [2]string{"master.key", "k"}),
		"traversal":         archive(t, man, db, [2]string{"audit/../../etc/x", "k"}),
		"duplicate":         archive(t, man, db, db),
		"manifest not head": archive(t, db, man),
	} {
		if _, err := extract(bytes.NewReader(data), func(string, io.Reader) error { return nil }); !errors.Is(err, ErrBadBackup) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := extract(bytes.NewReader(archive(t, man, db, [2]string{"audit/b/k", "r"})), func(string, io.Reader) error { return nil }); err != nil {
		t.Errorf("good archive: %v", err)
	}
}

// FuzzExtract: whatever the archive, extract never panics and hands only
// allowed names to the sink.
func FuzzExtract(f *testing.F) {
	man := [2]string{manifestName, `{"kind":"openpca-backup/v1"}`}
	f.Add(archive(f, man, [2]string{FileName, "x"}, [2]string{"audit/b/r", "y"}))
	f.Add(archive(f, man, [2]string{"../x", "x"}))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := extract(bytes.NewReader(data), func(name string, r io.Reader) error {
			if !allowedBackupName(name) {
				t.Fatalf("extract handed out %q", name)
			}
			_, err := io.Copy(io.Discard, r)
			return err
		})
		_ = err // a truncated entry fails in the sink's read: any error is fine
	})
}
