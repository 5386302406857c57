package store

import (
	"context"
	"database/sql"
)

// ConvertForTest converts v for a target column of type ty, as the copy does.
func ConvertForTest(ty string, v any) (any, error) { return converterFor(ty)(v) }

// OpenAtForTest opens the store (database as for Open: a postgres:// URL
// or empty for SQLite in dir) migrated only up to version, as an older
// binary left it.
func OpenAtForTest(ctx context.Context, database, dir string, version int) (*DB, error) {
	engine := SQLite
	if IsPostgresURL(database) {
		engine = Postgres
	}
	migs, err := loadMigrations(engine)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range migs {
		if m.version <= version {
			names = append(names, m.name)
		}
	}
	if engine == SQLite {
		return openSQLite(ctx, dir, FileName, "FULL", names)
	}
	sqldb, err := sql.Open("pgx", database)
	if err != nil {
		return nil, err
	}
	db := &DB{DB: sqldb, engine: Postgres}
	if err := db.migrate(ctx, names...); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}
