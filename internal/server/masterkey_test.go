package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/keystore"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestWrongMasterKeyRefused: a start with another key, or with the key file
// gone, refuses with a clear error instead of running (and creating a new
// key) over secrets it cannot open (issue #16 item 6).
func TestWrongMasterKeyRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	app, err := Open(ctx, Config{DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Bootstrap(ctx, BootstrapSpec{}, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	app.Close()
	keyPath := filepath.Join(dir, keystore.MasterKeyFile)
	good, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}

	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	_, err = Open(ctx, Config{DataDir: dir, MasterKey: other, Logger: quiet()})
	if !errors.Is(err, ErrWrongMasterKey) || !strings.Contains(err.Error(), "refusing to start") {
		t.Fatalf("wrong key: %v", err)
	}

	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, Config{DataDir: dir, Logger: quiet()})
	if !errors.Is(err, keystore.ErrNoMasterKey) {
		t.Fatalf("missing key file: %v", err)
	}
	if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a new master key was created over existing secrets")
	}

	app, err = Open(ctx, Config{DataDir: dir, MasterKey: string(good), Logger: quiet()})
	if err != nil {
		t.Fatalf("the right key from the environment: %v", err)
	}
	app.Close()
}
