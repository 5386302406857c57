package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/server"
)

// migrate-store refuses before touching any database: a URL that is not
// PostgreSQL, a directory without an embedded store, and a data directory
// a server has open (its shared lock).
func TestMigrateStoreRefusals(t *testing.T) {
	ctx := context.Background()
	// Nothing listens on port 1 of the loopback: a connection attempt fails at once.
	const url = "postgres://openpca@127.0.0.1:1/openpca?connect_timeout=2"
	dir := t.TempDir()
	if err := migrateStore(ctx, dir, "sqlite", io.Discard); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Fatalf("non-PostgreSQL target: %v", err)
	}
	if err := migrateStore(ctx, dir, url, io.Discard); err == nil || !strings.Contains(err.Error(), "no embedded store") {
		t.Fatalf("empty directory: %v", err)
	}
	app, err := server.Open(ctx, server.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateStore(ctx, dir, url, io.Discard); !errors.Is(err, server.ErrDataDirInUse) {
		t.Fatalf("while a server has the directory open: %v", err)
	}
	app.Close()
	// Closed, the lock is free: the command gets as far as the target.
	if err := migrateStore(ctx, dir, url, io.Discard); err == nil || errors.Is(err, server.ErrDataDirInUse) || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("after the server closed: %v", err)
	}
}

// A shared store is not copied as a file: backup with --database says how
// to back it up instead.
func TestBackupOfPostgresPointsToPgDump(t *testing.T) {
	err := (&backupCmd{DataDir: t.TempDir(), To: t.TempDir() + "/b.tar.gz", Database: "postgres://x/y"}).Run()
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup --database: %v", err)
	}
}
