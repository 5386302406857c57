// Package storetest gives tests a fresh database on either engine.
//
// OPENPCA_TEST_DATABASE=postgres makes Open (and Database) use PostgreSQL;
// otherwise they use SQLite in a temporary directory. PostgreSQL comes from
// OPENPCA_TEST_POSTGRES: a postgres:// URL of a server where the tests may
// create databases, or the directory of the server binaries; unset, the
// binaries are looked for in /usr/lib/postgresql/*/bin and $PATH. A
// throwaway cluster is started once per test process (Unix socket only,
// fsync off) and removed when the process exits; every test gets its own
// database.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/openpca/openpca/internal/store"
)

// UsePostgres reports whether OPENPCA_TEST_DATABASE selects PostgreSQL.
func UsePostgres() bool { return os.Getenv("OPENPCA_TEST_DATABASE") == "postgres" }

// Open returns a fresh migrated database, closed when t ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), Database(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Database returns the value for server.Config.Database / --database: ""
// (SQLite in the data directory) or a fresh PostgreSQL database's URL.
func Database(t testing.TB) string {
	t.Helper()
	if !UsePostgres() {
		return ""
	}
	return PostgresURL(t)
}

var (
	once     sync.Once
	admin    *sql.DB
	dbURL    func(name string) string
	startErr error
	seq      atomic.Int64
)

// PostgresURL creates a fresh PostgreSQL database and returns its URL; it
// is dropped when t ends. Without PostgreSQL the test is skipped, or fails
// when OPENPCA_TEST_DATABASE=postgres asked for it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	once.Do(func() { startErr = start() })
	if startErr != nil {
		if UsePostgres() {
			t.Fatalf("PostgreSQL for tests: %v", startErr)
		}
		t.Skipf("no PostgreSQL: %v", startErr)
	}
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), seq.Add(1))
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	// Registered first, so it runs after the test's own Close.
	t.Cleanup(func() {
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return dbURL(name)
}

func start() error {
	if u := os.Getenv("OPENPCA_TEST_POSTGRES"); store.IsPostgresURL(u) {
		// An outside server: databases are created next to the given one.
		db, err := sql.Open("pgx", u)
		if err != nil {
			return err
		}
		admin = db
		if err := db.Ping(); err != nil {
			return err
		}
		base, err := url.Parse(u)
		if err != nil {
			return err
		}
		dbURL = func(name string) string {
			c := *base
			c.Path = "/" + name
			return c.String()
		}
		return nil
	}
	bin, err := findBinaries()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "openpca-pg-")
	if err != nil {
		return err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		if err := os.Chown(dir, 65534, 65534); err != nil {
			return err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"--locale=C", "-E", "UTF8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	// A watchdog shell owns the server: when this test process is gone it
	// stops the server and removes the cluster.
	script := `"$1/postgres" -D "$2/data" -k "$2" -c listen_addresses= -c fsync=off ` +
		`-c synchronous_commit=off -c full_page_writes=off -c max_connections=500 ` +
		`-c shared_buffers=32MB >"$2/log" 2>&1 &
pg=$!
while [ -d "/proc/$3" ] && kill -0 $pg 2>/dev/null; do sleep 1; done
kill -INT $pg 2>/dev/null; wait $pg; rm -rf "$2"`
	w := exec.Command("/bin/sh", "-c", script, "watchdog", bin, dir, strconv.Itoa(os.Getpid()))
	w.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if err := w.Start(); err != nil {
		return err
	}
	go w.Wait()
	dbURL = func(name string) string {
		return "postgres://postgres@/" + name + "?host=" + url.QueryEscape(dir) + "&sslmode=disable"
	}
	admin, err = sql.Open("pgx", dbURL("postgres"))
	if err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := admin.Ping()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return fmt.Errorf("postgres did not start: %v: %s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// findBinaries returns the directory holding initdb and postgres.
func findBinaries() (string, error) {
	if d := os.Getenv("OPENPCA_TEST_POSTGRES"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("initdb not found (set OPENPCA_TEST_POSTGRES)")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

var (
	dirMu sync.Mutex
	dirDB = map[string]string{}
)

// DatabaseFor is Database remembered per data directory, so that a test
// reopening dataDir (a restart) finds the same PostgreSQL database.
func DatabaseFor(t testing.TB, dataDir string) string {
	t.Helper()
	if !UsePostgres() {
		return ""
	}
	dirMu.Lock()
	defer dirMu.Unlock()
	if u, ok := dirDB[dataDir]; ok {
		return u
	}
	u := PostgresURL(t)
	dirDB[dataDir] = u
	return u
}

// OpenDir opens the test database of dataDir: SQLite in it, or its
// PostgreSQL database under OPENPCA_TEST_DATABASE=postgres.
func OpenDir(ctx context.Context, t testing.TB, dataDir string) (*store.DB, error) {
	t.Helper()
	return store.Open(ctx, DatabaseFor(t, dataDir), dataDir)
}

// Strings runs a query of one text column and returns its values.
func Strings(t testing.TB, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
