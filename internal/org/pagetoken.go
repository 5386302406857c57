package org

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

	"github.com/openpca/openpca/internal/store"
)

// NextTokens are opaque and tamper-evident (reference §1.5): the last key
// of the page behind an HMAC over that key and the scope (calling account,
// its organization, operation, filter), so a token edited, or issued to
// another caller or for another query, is refused. The key is shared through the
// database (usePageKeyOf).
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
		k, err := db.SharedKey(context.Background(), "org_page_token_key")
		if err != nil {
			return // keep the process key: tokens then stay per server
		}
		pageKey.Store(&k)
	})
}

const pageMACLen = 16

// scope binds a NextToken to the caller's account and organization, the
// operation and the values of its filter. Parts are length-prefixed so no
// two lists of parts give the same scope.
func (ss *session) scope(op string, filter ...string) string {
	acct, orgID := "", ""
	if ss != nil && ss.c != nil {
		acct = ss.c.AccountID
	}
	if ss != nil && ss.org != nil {
		orgID = ss.org.ID
	}
	var b strings.Builder
	for _, p := range append([]string{acct, orgID, op}, filter...) {
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

func pageMAC(scope, after string) []byte {
	m := hmac.New(sha256.New, *pageKey.Load())
	m.Write([]byte(strconv.Itoa(len(scope)) + ":" + scope))
	m.Write([]byte(after))
	return m.Sum(nil)[:pageMACLen]
}

// sealToken makes the NextToken that resumes scope's listing after key after.
func sealToken(scope, after string) string {
	return base64.RawURLEncoding.EncodeToString(append(pageMAC(scope, after), after...))
}

// openToken returns the key a NextToken resumes after, if it was issued
// for scope.
func openToken(scope, token string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < pageMACLen {
		return "", false
	}
	after := string(raw[pageMACLen:])
	if !hmac.Equal(raw[:pageMACLen], pageMAC(scope, after)) {
		return "", false
	}
	return after, true
}
