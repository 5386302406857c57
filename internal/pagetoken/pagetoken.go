// Package pagetoken makes the opaque, tamper-evident page tokens of the
// listing operations (IAM Markers, Organizations NextTokens; reference
// §1.5): the last key of a page behind an HMAC over that key and the
// listing's scope (calling account, operation, filter), so a token edited,
// or issued to another caller or for another query, is refused.
package pagetoken

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

const macLen = 16

// KeySource gives the key shared by every server of one database.
type KeySource interface {
	SharedKey(ctx context.Context, name string) ([]byte, error)
}

// Sealer seals and opens the tokens of one service. It starts with a
// random per-process key; UseSharedKey replaces it with the database's.
type Sealer struct {
	key    atomic.Pointer[[]byte]
	shared sync.Once
}

// New returns a Sealer with a fresh random key.
func New() *Sealer {
	s := &Sealer{}
	s.SetKey(nil)
	return s
}

// SetKey replaces the key; nil picks a fresh random one (a new process).
func (s *Sealer) SetKey(k []byte) {
	if k == nil {
		k = make([]byte, 32)
		rand.Read(k) // never fails (crypto/rand, Go ≥ 1.24)
	}
	s.key.Store(&k)
	s.shared = sync.Once{}
}

// Key returns the key in use.
func (s *Sealer) Key() []byte { return *s.key.Load() }

// UseSharedKey makes the Sealer use the database's key named name, so
// servers sharing the database (and a restarted one) accept each other's
// tokens. The first call decides: a process serves one database. Without
// it the process key stays and tokens are per server.
func (s *Sealer) UseSharedKey(db KeySource, name string) {
	s.shared.Do(func() {
		if k, err := db.SharedKey(context.Background(), name); err == nil {
			s.key.Store(&k)
		}
	})
}

// Scope joins the parts a token is bound to. Parts are length-prefixed
// so no two lists of parts give the same scope.
func Scope(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

func (s *Sealer) mac(scope, after string) []byte {
	m := hmac.New(sha256.New, *s.key.Load())
	m.Write([]byte(strconv.Itoa(len(scope)) + ":" + scope))
	m.Write([]byte(after))
	return m.Sum(nil)[:macLen]
}

// Seal makes the token that resumes scope's listing after key after.
func (s *Sealer) Seal(scope, after string) string {
	return base64.RawURLEncoding.EncodeToString(append(s.mac(scope, after), after...))
}

// Open returns the key a token resumes after, if it was issued for scope
// under this Sealer's key.
func (s *Sealer) Open(scope, token string) (string, bool) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token) // one spelling per token
	if err != nil || len(raw) < macLen {
		return "", false
	}
	after := string(raw[macLen:])
	if !hmac.Equal(raw[:macLen], s.mac(scope, after)) {
		return "", false
	}
	return after, true
}

// WithKey returns a Sealer with the given key (a service that reads its
// shared key itself).
func WithKey(k []byte) *Sealer {
	s := &Sealer{}
	s.SetKey(k)
	return s
}

// maxOffset bounds the offsets of in-memory listings.
const maxOffset = 1 << 31

// SealOffset makes the token of scope's listing resuming at offset off
// (listings computed in memory rather than keyed).
func (s *Sealer) SealOffset(scope string, off int) string {
	return s.Seal(scope, strconv.Itoa(off))
}

// OpenOffset returns the offset a SealOffset token resumes at, if it was
// issued for scope.
func (s *Sealer) OpenOffset(scope, token string) (int, bool) {
	after, ok := s.Open(scope, token)
	if !ok {
		return 0, false
	}
	off, err := strconv.Atoi(after)
	if err != nil || off < 0 || off > maxOffset {
		return 0, false
	}
	return off, true
}
