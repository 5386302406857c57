package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/openpca/openpca/internal/store"
)

type backupCmd struct {
	DataDir string `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory of the (possibly running) server."`
	To      string `required:"" type:"path" help:"Archive file to write (.tar.gz); the master key and AWS profiles are not included."`
	// A shared store is backed up with PostgreSQL's own tools; the flag
	// is accepted so the command says so instead of copying a stale file.
	Database string `env:"OPENPCA_DATABASE_URL" help:"postgres:// URL of a shared database: refused, with how to back it up (pg_dump)."`
}

func (c *backupCmd) Run() error {
	if c.Database != "" {
		return errors.New("a PostgreSQL store is backed up with pg_dump (docs/operations.md, \"PostgreSQL\"): pg_dump --format=custom --file=openpca.dump \"$OPENPCA_DATABASE_URL\"; copy the data directory's audit/ beside it")
	}
	m, err := store.Backup(context.Background(), c.DataDir, c.To)
	if err != nil {
		return err
	}
	fmt.Printf("backup %s: schema version %d, %d files, taken %s\n", c.To, m.SchemaVersion, len(m.Files), m.CreatedAt.Format("2006-01-02T15:04:05Z"))
	return nil
}

type restoreCmd struct {
	From    string `required:"" type:"existingfile" help:"Archive written by admin backup."`
	DataDir string `required:"" type:"path" help:"New data directory (must be missing or empty)."`
}

func (c *restoreCmd) Run() error {
	m, err := store.Restore(context.Background(), c.From, c.DataDir)
	if err != nil {
		return err
	}
	fmt.Printf("restored %d files (schema version %d, backup of %s) into %s\n", len(m.Files), m.SchemaVersion, m.CreatedAt.Format("2006-01-02T15:04:05Z"), c.DataDir)
	fmt.Println("Start the server with the original master key: copy master.key into the directory or set OPENPCA_MASTER_KEY.")
	return nil
}
