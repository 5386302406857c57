package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store"
)

type migrateStoreCmd struct {
	From string `required:"" type:"existingdir" help:"Data directory of the embedded (SQLite) store; every server on it must be stopped."`
	To   string `required:"" help:"postgres:// URL of the target database: new or migrated, but without OpenPCA rows."`
}

// Run copies the embedded store into PostgreSQL (docs/postgres.md,
// "Moving from SQLite to PostgreSQL").
func (c *migrateStoreCmd) Run() error {
	return migrateStore(context.Background(), c.From, c.To, os.Stdout)
}

// migrateStore refuses while any process has the data directory open
// rather than copying a snapshot: a server still running would go on
// issuing certificates and keys that the copy lacks, and the two stores
// would diverge with the same CAs. The exclusive lock also keeps servers
// from starting on dir until the copy is done.
func migrateStore(ctx context.Context, dir, url string, out io.Writer) error {
	if !store.IsPostgresURL(url) {
		return errors.New("--to must be a postgres:// or postgresql:// URL")
	}
	src := filepath.Join(dir, store.FileName)
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("no embedded store in %s: %w", dir, err)
	}
	unlock, err := server.LockDataDirExclusive(dir)
	if err != nil {
		return err
	}
	defer unlock()

	// Opening applies this binary's migrations to the target (a database
	// with no tables gets them all); the copy then refuses any row.
	dst, err := store.OpenPostgres(ctx, url)
	if err != nil {
		return err
	}
	defer dst.Close()
	res, err := store.CopySQLite(ctx, src, dst)
	switch {
	case errors.Is(err, store.ErrSchemaVersion):
		return fmt.Errorf("%w: copy only between stores of this binary's version; for an older data directory start this version's server on it once (it migrates at start) and stop it, for a newer one use the binary that wrote it", err)
	case errors.Is(err, store.ErrTargetNotEmpty):
		return fmt.Errorf("%w; nothing was copied: give a new database (createdb) or one no server has used", err)
	case err != nil:
		return fmt.Errorf("nothing was copied (the target is as it was): %w", err)
	}

	var listed []string
	for _, t := range res.Tables {
		if t.Rows > 0 {
			listed = append(listed, fmt.Sprintf("%s %d", t.Name, t.Rows))
		}
	}
	fmt.Fprintf(out, "Copied %d rows of %d tables (schema version %d) from %s in %s, in one transaction; row counts match per table.\n",
		res.Rows, len(res.Tables), res.SchemaVersion, src, res.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(out, "Rows: %s.\n", strings.Join(listed, ", "))
	if len(res.Uncopied) > 0 {
		fmt.Fprintf(out, "Target tables the source has none of, left empty: %s.\n", strings.Join(res.Uncopied, ", "))
	}
	if len(res.Sequences) > 0 {
		fmt.Fprintf(out, "Sequences reset: %s.\n", strings.Join(res.Sequences, ", "))
	}
	key := "the OPENPCA_MASTER_KEY this store was started with"
	if _, err := os.Stat(filepath.Join(dir, keystore.MasterKeyFile)); err == nil {
		key = filepath.Join(dir, keystore.MasterKeyFile) + " (copy it, mode 0600, into each server's data directory, or set OPENPCA_MASTER_KEY to its content)"
	}
	fmt.Fprintf(out, "Secrets are still sealed by the same master key: start every PostgreSQL server with %s; the key-check value came along, so a server with another key refuses to start.\n", key)
	if _, err := os.Stat(filepath.Join(dir, "audit")); err == nil {
		fmt.Fprintf(out, "Audit report files are not in the database: copy %s into the data directory of the servers that serve them.\n", filepath.Join(dir, "audit"))
	}
	fmt.Fprintf(out, "%s is unchanged: do not start a server on it again, or the two stores diverge.\n", src)
	return nil
}
