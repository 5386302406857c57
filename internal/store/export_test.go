package store

import "context"

// ConvertForTest converts v for a target column of type ty, as the copy does.
func ConvertForTest(ty string, v any) (any, error) { return converterFor(ty)(v) }

// OpenSQLiteAtForTest opens (creating) the SQLite store in dir migrated
// only up to version, as an older binary left it.
func OpenSQLiteAtForTest(ctx context.Context, dir string, version int) (*DB, error) {
	migs, err := loadMigrations(SQLite)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range migs {
		if m.version <= version {
			names = append(names, m.name)
		}
	}
	return openSQLite(ctx, dir, FileName, "FULL", names)
}
