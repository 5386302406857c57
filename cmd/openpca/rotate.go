package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/server"
)

type rotateMasterKeyCmd struct {
	DataDir    string `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory of the stopped server."`
	Database   string `env:"OPENPCA_DATABASE_URL" help:"postgres:// URL of the shared database (default: SQLite in the data directory); every server on it must be stopped."`
	NewKeyFile string `name:"new-key-file" type:"path" xor:"newkey" help:"File holding the new key (base64 of 32 bytes, as master.key), readable by its owner only."`
	Generate   bool   `xor:"newkey" help:"Generate the new key."`
	MasterKey  string `env:"OPENPCA_MASTER_KEY" hidden:""`
}

// Run re-seals every secret of the data directory with a new master key
// (docs/security.md, "Rotating the master key").
func (c *rotateMasterKeyCmd) Run() error {
	if c.NewKeyFile == "" && !c.Generate {
		return errors.New("give the new key: --new-key-file FILE or --generate")
	}
	var newKey string
	if c.Generate {
		_, b64, err := keystore.GenerateMasterKey()
		if err != nil {
			return err
		}
		newKey = b64
	} else {
		b, err := readPrivateFile(c.NewKeyFile)
		if err != nil {
			return err
		}
		newKey = strings.TrimSpace(string(b))
	}
	opts := server.RotateOptions{DataDir: c.DataDir, Database: c.Database, MasterKey: c.MasterKey, NewKey: newKey}
	if c.MasterKey != "" && c.Generate {
		// The only copy of the new key: out (os.Stdout is unbuffered)
		// before the data depends on it; a failed write aborts.
		opts.BeforeCommit = func() error {
			_, err := fmt.Printf("New master key (set OPENPCA_MASTER_KEY to it for every start from now on):\n%s\n", newKey)
			return err
		}
	}
	res, err := server.RotateMasterKey(context.Background(), opts)
	if err != nil {
		return err
	}
	if res.Resumed {
		fmt.Printf("Finished an interrupted rotation: %s is the new key, the replaced one is kept as %s.\n", res.KeyFile, res.OldKeyFile)
		return nil
	}
	tables := make([]string, 0, len(res.Resealed))
	total := 0
	for t, n := range res.Resealed {
		tables = append(tables, fmt.Sprintf("%s %d", t, n))
		total += n
	}
	sort.Strings(tables)
	fmt.Printf("Re-sealed %d secrets with the new master key (%s) and updated the key-check value.\n", total, strings.Join(tables, ", "))
	if res.KeyFile != "" {
		fmt.Printf("The new key is in %s; the old key is kept in %s: delete it once no backup taken before this rotation is needed.\n", res.KeyFile, res.OldKeyFile)
	} else {
		fmt.Println("The old key no longer opens this data directory: start with OPENPCA_MASTER_KEY set to the new key.")
	}
	return nil
}

// readPrivateFile reads a key file that only its owner may read.
func readPrivateFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by others (mode %v): chmod 600 it first", path, fi.Mode().Perm())
	}
	return os.ReadFile(path)
}
