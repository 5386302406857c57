package org

import (
	"github.com/openpca/openpca/internal/pagetoken"
	"github.com/openpca/openpca/internal/store"
)

// NextTokens are tamper-evident page tokens (internal/pagetoken), bound
// to the caller's account and organization, the operation and its filter;
// their key is shared through the database (usePageKeyOf).
var pages = pagetoken.New()

// usePageKeyOf makes the process use db's shared page-token key, so that
// servers sharing the database (and a restarted one) accept each other's
// tokens.
func usePageKeyOf(db *store.DB) { pages.UseSharedKey(db, "org_page_token_key") }

// scope binds a NextToken to the caller's account and organization, the
// operation and the values of its filter.
func (ss *session) scope(op string, filter ...string) string {
	acct, orgID := "", ""
	if ss != nil && ss.c != nil {
		acct = ss.c.AccountID
	}
	if ss != nil && ss.org != nil {
		orgID = ss.org.ID
	}
	return pagetoken.Scope(append([]string{acct, orgID, op}, filter...)...)
}

// sealToken makes the NextToken that resumes scope's listing after key after.
func sealToken(scope, after string) string { return pages.Seal(scope, after) }

// openToken returns the key a NextToken resumes after, if it was issued
// for scope.
func openToken(scope, token string) (string, bool) { return pages.Open(scope, token) }
