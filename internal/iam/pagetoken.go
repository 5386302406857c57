package iam

import (
	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pagetoken"
	"github.com/openpca/openpca/internal/store"
)

// Markers are tamper-evident page tokens (internal/pagetoken), their key
// shared through the database (usePageKeyOf).
var pages = pagetoken.New()

// usePageKeyOf makes the process use db's shared page-token key, so that
// servers sharing the database (and a restarted one) accept each other's
// tokens.
func usePageKeyOf(db *store.DB) { pages.UseSharedKey(db, "iam_page_token_key") }

// pageScope is what a Marker is bound to.
type pageScope string

// scopeOf binds a Marker to the caller's account, the operation and the
// values of its filter.
func scopeOf(c *authz.Caller, op string, filter ...string) pageScope {
	acct := ""
	if c != nil {
		acct = c.AccountID
	}
	return pageScope(pagetoken.Scope(append([]string{acct, op}, filter...)...))
}

// sealMarker makes the Marker that resumes scope's listing after key after.
func sealMarker(scope pageScope, after string) string { return pages.Seal(string(scope), after) }

// openMarker returns the key a Marker resumes after, if the Marker was
// issued for scope.
func openMarker(scope pageScope, marker string) (string, bool) {
	return pages.Open(string(scope), marker)
}
