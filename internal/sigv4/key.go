package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// SigningKey derives the SigV4 signing key: HMAC chain "AWS4"+secret →
// date → region → service → "aws4_request".
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// derivedKey is a signing key with a pool of HMACs keyed by it, so a warm
// verify neither re-derives the key nor allocates an HMAC.
type derivedKey struct {
	key  []byte
	pool sync.Pool // of hash.Hash
}

func newDerivedKey(secret, date, region, service string) *derivedKey {
	return &derivedKey{key: SigningKey(secret, date, region, service)}
}

// sign appends HMAC-SHA256(key, msg) to dst.
func (d *derivedKey) sign(dst, msg []byte) []byte {
	h, _ := d.pool.Get().(hash.Hash)
	if h == nil {
		h = hmac.New(sha256.New, d.key)
	} else {
		h.Reset()
	}
	h.Write(msg)
	dst = h.Sum(dst)
	d.pool.Put(h)
	return dst
}

type keyID struct{ secret, date, region, service string }

// keyCache is a bounded, concurrency-safe map of derived keys. Entries are
// only reached after the caller's lookup returned the secret, so a revoked
// key cannot be used through a stale entry.
type keyCache struct {
	mu  sync.RWMutex
	m   map[keyID]*derivedKey
	max int
}

// maxCachedKeys bounds memory: one entry per active (key, day, region, service).
const maxCachedKeys = 4096

var signingKeys = &keyCache{m: make(map[keyID]*derivedKey), max: maxCachedKeys}

func (c *keyCache) get(secret, date, region, service string) *derivedKey {
	id := keyID{secret, date, region, service}
	c.mu.RLock()
	d := c.m[id]
	c.mu.RUnlock()
	if d != nil {
		return d
	}
	d = newDerivedKey(secret, date, region, service)
	c.mu.Lock()
	if old := c.m[id]; old != nil {
		d = old
	} else {
		if len(c.m) >= c.max {
			// Evict entries from other days first; they are dead weight.
			for k := range c.m {
				if k.date != date {
					delete(c.m, k)
				}
			}
			for k := range c.m {
				if len(c.m) < c.max {
					break
				}
				delete(c.m, k)
			}
		}
		c.m[id] = d
	}
	c.mu.Unlock()
	return d
}

func (c *keyCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
