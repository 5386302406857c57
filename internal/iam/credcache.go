package iam

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// The credential cache keeps resolved access keys (long-term and session)
// by key ID, so a signed request does not re-read the key, its user or
// role, their tags and unseal the secret each time.
//
// Invalidation is by generation, not by key: every write that can change
// an answer bumps gen, and an entry filled under an older generation is a
// miss. A lookup takes the generation before it reads the database, so a
// write committed during the read leaves the entry stale-marked. Writes
// inside a transaction bump again after the commit (Store.tx), because a
// read between the in-transaction bump and the commit still sees the old
// rows. Servers sharing a PostgreSQL database hear each other's bumps by
// NOTIFY; the TTL bounds the staleness when a notification is lost.
const (
	credCacheTTL = time.Second
	credCacheMax = 10_000
	channelCreds = "openpca_iam_creds"
)

type credCache struct {
	gen atomic.Uint64
	// deaf: a PostgreSQL listener is starting; until it hears its first
	// notification nothing is cached, as other servers' writes would be
	// missed (and a fake clock in tests never ends the TTL).
	deaf atomic.Bool
	mu   sync.RWMutex
	m    map[string]credEntry
}

type credEntry struct {
	k       *ResolvedKey
	gen     uint64
	expires time.Time
}

// get returns a copy of the cached key, or the generation a miss must be
// filled under.
func (c *credCache) get(id string, now time.Time) (*ResolvedKey, uint64) {
	g := c.gen.Load()
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if ok && e.gen == g && now.Before(e.expires) {
		k := *e.k
		return &k, g
	}
	return nil, g
}

func (c *credCache) put(id string, k *ResolvedKey, g uint64, now time.Time) {
	if c.gen.Load() != g || c.deaf.Load() {
		return // already stale, or invalidations may be missed
	}
	cp := *k
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]credEntry)
	}
	if _, ok := c.m[id]; !ok && len(c.m) >= credCacheMax {
		// Unknown IDs are never cached, so only real keys fill it; drop
		// one arbitrary entry to stay bounded.
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[id] = credEntry{k: &cp, gen: g, expires: now.Add(credCacheTTL)}
	c.mu.Unlock()
}

// InvalidateCredentials drops every cached credential on this server.
func (s *Store) InvalidateCredentials() { s.creds.gen.Add(1) }

// ListenCredentialChanges makes other servers' IAM writes drop this
// server's cached credentials at once (PostgreSQL; nothing on SQLite). A
// lost connection calls back too, which drops everything.
func (s *Store) ListenCredentialChanges() {
	if s.db.Engine() != store.Postgres {
		return
	}
	s.creds.deaf.Store(true)
	s.db.Listen(channelCreds, func(string) {
		s.InvalidateCredentials()
		s.creds.deaf.Store(false)
	})
	// The listener connects in the background: ping ourselves until it
	// hears one (it then hears every later write), for at most a minute.
	go func() {
		for range 1200 {
			if !s.creds.deaf.Load() {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := s.db.Notify(ctx, channelCreds, "")
			cancel()
			if err != nil && err.Error() == "sql: database is closed" {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
}

// credsChanged drops cached credentials here and tells other servers.
// Call it only after the write committed.
func (s *Store) credsChanged() {
	s.InvalidateCredentials()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// On failure the TTL still bounds other servers' staleness.
	_ = s.db.Notify(ctx, channelCreds, "")
}

// wrote is called by the store's writes to rows LookupCredential reads.
// Outside a transaction the write has committed: tell everyone. Inside
// one, bump here and let Store.tx bump and notify after the commit.
func (s *Store) wrote(q querier) {
	if _, inTx := q.(*sql.Tx); inTx {
		s.InvalidateCredentials()
		return
	}
	s.credsChanged()
}

// tx runs fn in a write transaction, then drops cached credentials: any
// IAM write may change what a key resolves to, and IAM writes are rare
// next to signed requests.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	err := s.db.Tx(ctx, fn)
	s.credsChanged()
	return err
}
