package policy

import (
	"crypto/sha256"
	"sync"
)

// Cache parses each distinct (kind, document text) once. Entries are keyed by
// SHA-256 and evicted oldest first when the cache is full; parse errors are
// cached too. Safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	max     int
	entries map[[32]byte]cacheEntry
	order   [][32]byte // insertion order, a ring of length max
	next    int
}

type cacheEntry struct {
	doc *Document
	err error
}

// NewCache returns a cache holding at most max documents (at least 1).
func NewCache(max int) *Cache {
	if max < 1 {
		max = 1
	}
	return &Cache{max: max, entries: make(map[[32]byte]cacheEntry)}
}

// Parse returns the cached result of Parse(data, kind).
func (c *Cache) Parse(data []byte, kind Kind) (*Document, error) {
	h := sha256.New()
	h.Write([]byte{byte(kind)})
	h.Write(data)
	var key [32]byte
	h.Sum(key[:0])

	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return e.doc, e.err
	}
	// Parse outside the lock; two callers may race to parse the same text,
	// which is harmless.
	doc, err := Parse(data, kind)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		return e.doc, e.err
	}
	if len(c.order) < c.max {
		c.order = append(c.order, key)
	} else {
		delete(c.entries, c.order[c.next])
		c.order[c.next] = key
		c.next = (c.next + 1) % c.max
	}
	c.entries[key] = cacheEntry{doc: doc, err: err}
	return doc, err
}

// Len returns the number of cached entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
