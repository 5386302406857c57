package iam

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

// Markers are opaque and tamper-evident (reference §1.5): the last key of
// the page, behind an HMAC over that key and the scope (calling account,
// operation, filter), so a Marker edited, or issued to another account or
// for another query, is refused. The key is per process: a Marker lives
// for one listing, and a restarted server asks the client to start over.
var pageKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k) // never fails (crypto/rand, Go ≥ 1.24)
	return k
}()

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
	m := hmac.New(sha256.New, pageKey)
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
