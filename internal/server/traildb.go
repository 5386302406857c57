package server

import (
	"context"
	"fmt"

	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/trail"
)

// openTrailDB opens where the trail is kept. On SQLite that is its own
// file (store.TrailFileName), so the trail's batched commits never wait
// for the issuance group commit's writer, nor it for them; records an
// older version left in the main database are moved there once. On
// PostgreSQL, whose writers are not one file lock, it is the database.
func openTrailDB(ctx context.Context, db *store.DB, cfg Config) (*store.DB, error) {
	if db.Engine() != store.SQLite {
		return db, nil
	}
	tdb, err := store.OpenTrailSQLite(ctx, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("trail: %w", err)
	}
	n, err := trail.AdoptMain(ctx, tdb, db.Path())
	if err != nil {
		tdb.Close()
		return nil, fmt.Errorf("trail: moving events to %s: %w", store.TrailFileName, err)
	}
	if n > 0 {
		cfg.Logger.Info("trail: moved events from the main database to their own file", "events", n, "file", tdb.Path())
	}
	return tdb, nil
}

func (a *App) closeTrailDB() {
	if a.TrailDB != nil && a.TrailDB != a.DB {
		_ = a.TrailDB.Close()
	}
}
