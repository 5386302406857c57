package pca

import (
	"context"
	"sync"
	"time"
)

// caCacheTTL bounds how long a CA row is reused. Every write made through
// this Service invalidates at once, on every server sharing a PostgreSQL
// database through notifications (notify.go); the TTL is the backstop when
// a notification is lost.
const caCacheTTL = time.Second

// maxCACache bounds the cache; past it the cache starts over (expired rows
// are otherwise only replaced, never swept).
const maxCACache = 10000

// cachedCA is one CA row as read from the database. The row is shared by
// concurrent requests and must not be modified. Nothing time-dependent is
// derived in it: EXPIRED and "gone" are computed from the clock on each use.
type cachedCA struct {
	row     *caRow
	expires time.Time
}

// caCache is the Service's cache of CA rows by CA id.
type caCache struct {
	mu   sync.RWMutex
	byID map[string]*cachedCA
	gen  uint64 // bumped by every invalidation
}

// invalidateCA drops the cached row of a CA. Every writer of pca_cas or
// pca_ca_tags calls it after its write, whether the write succeeded or not
// (a failed compare-and-set means the row changed under us).
func (s *Service) invalidateCA(id string) {
	s.dropCA(id)
	s.notify(channelCA, id)
}

// dropCA drops this server's cached row of a CA ("": every CA).
func (s *Service) dropCA(id string) {
	c := &s.cas
	c.mu.Lock()
	if id == "" {
		c.byID = nil
	}
	delete(c.byID, id)
	c.gen++
	c.mu.Unlock()
}

// getCA loads a CA with its tags, from the cache when fresh; nil when it
// does not exist (absence is not cached: a CA created by another server is
// visible at once).
func (s *Service) getCA(ctx context.Context, id string) (*caRow, error) {
	return s.getCAFrom(ctx, id, false)
}

func (s *Service) getCAFrom(ctx context.Context, id string, fresh bool) (*caRow, error) {
	c := &s.cas
	now := s.clk.Now()
	c.mu.RLock()
	e, gen := c.byID[id], c.gen
	c.mu.RUnlock()
	if !fresh && e != nil && now.Before(e.expires) {
		return e.row, nil
	}
	row, err := s.readCA(ctx, id)
	if err != nil || row == nil {
		return row, err
	}
	c.mu.Lock()
	// An invalidation while we read means what we read may be stale.
	if c.gen == gen {
		if c.byID == nil || len(c.byID) >= maxCACache {
			c.byID = make(map[string]*cachedCA)
		}
		c.byID[id] = &cachedCA{row: row, expires: now.Add(caCacheTTL)}
	}
	c.mu.Unlock()
	return row, nil
}
