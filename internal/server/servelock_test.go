package server

import (
	"context"
	"errors"
	"testing"
	"time"
)

// An embedded store has one server: a second `serve` on the data
// directory is refused, and a restart after a crash drops the leases the
// dead server held (a CRL lease would otherwise block republication of
// acknowledged revocations until it expired).
func TestEmbeddedStoreOneServerLeasesDroppedAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	app, err := Open(ctx, Config{Serving: true, DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, Config{Serving: true, DataDir: dir, Logger: quiet()}); !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("a second serve on the embedded store: %v, want ErrDataDirInUse", err)
	}
	// An admin command opens the store beside the server as before.
	admin, err := Open(ctx, Config{DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatalf("an admin command beside the server: %v", err)
	}
	admin.Close()
	// What a server killed while signing a CRL leaves behind.
	if ok, err := app.DB.TryLease(ctx, "pca-crl/dead", "a-dead-server", time.Now(), time.Hour); err != nil || !ok {
		t.Fatalf("lease: %v %v", ok, err)
	}
	app.Close()

	app, err = Open(ctx, Config{Serving: true, DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer app.Close()
	if ok, err := app.DB.TryLease(ctx, "pca-crl/dead", "the-new-server", time.Now(), time.Minute); err != nil || !ok {
		t.Fatalf("the dead server's lease survived the restart: %v %v", ok, err)
	}
}
