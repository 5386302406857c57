package main

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store/storetest"
)

// runCaptured runs c and returns what it printed.
func runCaptured(t *testing.T, c *setConsolePasswordCmd) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	runErr := c.Run()
	os.Stdout = old
	w.Close()
	out, _ := io.ReadAll(r)
	if runErr != nil {
		t.Fatalf("run: %v\n%s", runErr, out)
	}
	return string(out)
}

func TestSetConsolePasswordCreatesTheFirstAdministrator(t *testing.T) {
	testSetConsolePassword(t, "")
}

// The same through --database: the command works on a shared PostgreSQL
// store as the servers do (skipped without PostgreSQL).
func TestSetConsolePasswordOnPostgres(t *testing.T) {
	testSetConsolePassword(t, storetest.PostgresURL(t))
}

func testSetConsolePassword(t *testing.T, database string) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := (&setConsolePasswordCmd{DataDir: dir, Database: database, User: "admin"}).Run(); err == nil || !strings.Contains(err.Error(), "run `openpca serve` once first") {
		t.Fatalf("before the first start: %v", err)
	}
	app, err := server.Open(ctx, server.Config{DataDir: dir, Database: database})
	if err != nil {
		t.Fatal(err)
	}
	boot, err := app.Bootstrap(ctx, server.BootstrapSpec{}, "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	app.Close()

	pwRE := regexp.MustCompile(`password \(shown only now\):\n(\S+)\n`)
	out := runCaptured(t, &setConsolePasswordCmd{DataDir: dir, Database: database, User: "admin"})
	m := pwRE.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "Created IAM user admin in account "+boot.AccountID+" with AdministratorAccess") {
		t.Fatalf("output:\n%s", out)
	}
	first := m[1]
	// Again: the user exists; only the password changes.
	out = runCaptured(t, &setConsolePasswordCmd{DataDir: dir, Database: database, User: "admin"})
	m = pwRE.FindStringSubmatch(out)
	if m == nil || strings.Contains(out, "Created") || m[1] == first {
		t.Fatalf("second run:\n%s", out)
	}
	app, err = server.Open(ctx, server.Config{DataDir: dir, Database: database})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if in, err := app.IAMStore.VerifyPassword(ctx, boot.AccountID, "admin", m[1]); err != nil || in == nil {
		t.Fatalf("new password: %v %v", in, err)
	}
	if in, _ := app.IAMStore.VerifyPassword(ctx, boot.AccountID, "admin", first); in != nil {
		t.Fatal("the old password still works")
	}
}
