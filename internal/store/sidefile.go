package store

import "context"

// TrailFileName is the call trail's own SQLite file in the data directory:
// its batched commits never queue behind (or hold up) the main database's
// single writer. On PostgreSQL the trail stays in the one database.
const TrailFileName = "trail.db"

// TrailMigrations are the migrations that make up the trail file's schema.
var TrailMigrations = []string{"0024_trail.sql", "0051_trail_chunks.sql"}

// OpenTrailSQLite opens (creating if needed) the trail's SQLite file in
// dir, 0600 and WAL like the main one. synchronous=NORMAL: under WAL a
// commit is not fsynced but reaches the file at the next checkpoint, so an
// OS crash or power loss (not a process crash) can lose the last records.
// The trail already accepts losing the last queued records in a crash
// (package trail), and the fsync per batch is what the issuance path would
// otherwise compete with.
func OpenTrailSQLite(ctx context.Context, dir string) (*DB, error) {
	return openSQLite(ctx, dir, TrailFileName, "NORMAL", TrailMigrations)
}
