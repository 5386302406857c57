package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notify tells every server sharing the database, this one included, that
// something named by payload changed on channel, so they drop cached
// copies at once instead of when the copies' TTL ends. On SQLite one
// process owns the database and nothing is sent. Callers notify after
// their write committed; a lost notification costs only staleness up to
// the TTL.
func (db *DB) Notify(ctx context.Context, channel, payload string) error {
	if db.engine != Postgres {
		return nil
	}
	_, err := db.DB.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, payload)
	return err
}

// Listen calls fn with the payload of every notification on channel until
// the database is closed, on its own connection. Once listening, first
// and after that connection was lost, it calls fn("") once: notifications
// may have been missed meanwhile (the first LISTEN runs asynchronously,
// after the caller may have cached something), so the caller drops
// everything. On SQLite it does nothing.
func (db *DB) Listen(channel string, fn func(payload string)) {
	if db.engine != Postgres {
		return
	}
	db.listeners.Add(1)
	go func() {
		defer db.listeners.Done()
		missed := true // nothing was heard before the first LISTEN
		for db.listenCtx.Err() == nil {
			db.listenOnce(channel, fn, &missed)
			missed = true
			select {
			case <-db.listenCtx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

func (db *DB) listenOnce(channel string, fn func(string), missed *bool) {
	ctx := db.listenCtx
	conn, err := pgx.ConnectConfig(ctx, db.pgConfig.Copy())
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return
	}
	if *missed {
		fn("")
		*missed = false
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		fn(n.Payload)
	}
}
