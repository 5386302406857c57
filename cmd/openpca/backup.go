package main

import (
	"context"
	"fmt"

	"github.com/openpca/openpca/internal/store"
)

type backupCmd struct {
	DataDir string `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory of the (possibly running) server."`
	To      string `required:"" type:"path" help:"Archive file to write (.tar.gz); the master key and AWS profiles are not included."`
}

func (c *backupCmd) Run() error {
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
