package iam

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

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

// Markers are opaque and tamper-evident (reference §1.5): the last key of
// the page, behind an HMAC over that key and the scope (calling account,
// operation, filter), so a Marker edited, or issued to another account or
// for another query, is refused. The key is shared through the database
// (usePageKeyOf).
var pageKey atomic.Pointer[[]byte]

func init() {
	k := make([]byte, 32)
	rand.Read(k) // never fails (crypto/rand, Go ≥ 1.24)
	pageKey.Store(&k)
}

var pageKeyFromDB sync.Once

// usePageKeyOf makes the process use db's shared page-token key, so that
// servers sharing the database (and a restarted one) accept each other's
// tokens. The first store opened decides: a process serves one database.
func usePageKeyOf(db *store.DB) {
	pageKeyFromDB.Do(func() {
		k, err := db.SharedKey(context.Background(), "iam_page_token_key")
		if err != nil {
			return // keep the process key: tokens then stay per server
		}
		pageKey.Store(&k)
	})
}

const pageMACLen = 16

// pageScope is what a Marker is bound to.
type pageScope string

// scopeOf binds a Marker to the caller's account, the operation and the
// values of its filter. Parts are length-prefixed so no two lists of parts
// give the same scope.
func scopeOf(c *authz.Caller, op string, filter ...string) pageScope {
	acct := ""
	if c != nil {
		acct = c.AccountID
	}
	var b strings.Builder
	for _, p := range append([]string{acct, op}, filter...) {
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return pageScope(b.String())
}

func pageMAC(scope pageScope, after string) []byte {
	m := hmac.New(sha256.New, *pageKey.Load())
	m.Write([]byte(strconv.Itoa(len(scope)) + ":" + string(scope)))
	m.Write([]byte(after))
	return m.Sum(nil)[:pageMACLen]
}

// sealMarker makes the Marker that resumes scope's listing after key after.
func sealMarker(scope pageScope, after string) string {
	return base64.RawURLEncoding.EncodeToString(append(pageMAC(scope, after), after...))
}

// openMarker returns the key a Marker resumes after, if the Marker was
// issued for scope.
func openMarker(scope pageScope, marker string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || len(raw) < pageMACLen {
		return "", false
	}
	after := string(raw[pageMACLen:])
	if !hmac.Equal(raw[:pageMACLen], pageMAC(scope, after)) {
		return "", false
	}
	return after, true
}
