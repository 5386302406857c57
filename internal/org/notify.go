package org

import (
	"context"
	"time"
)

// channelOrg is the channel on which servers sharing a PostgreSQL database
// tell each other whose cached organization context and closed-account
// answer to drop: an account ID, or "*" for every account (a change to a
// root, an OU or a policy reaches many). Nothing is sent on SQLite.
const channelOrg = "openpca_org"

// listenInvalidations makes other servers' organization writes drop this
// server's cached copies at once; a listener that lost its connection
// hears "" and drops everything.
func (s *Service) listenInvalidations() {
	s.st.db.Listen(channelOrg, s.dropCached)
}

func (s *Service) dropCached(payload string) {
	if payload == "" || payload == "*" {
		s.authz.InvalidateAll()
		s.st.forgetClosed("")
		return
	}
	s.authz.Invalidate(payload)
	s.st.forgetClosed(payload)
}

// invalidate drops the account's cached organization context here and,
// through the database, on every other server. Called after the write
// committed.
func (s *Service) invalidate(accountID string) {
	s.authz.Invalidate(accountID)
	s.notify(accountID)
}

// invalidateAll is invalidate for every account.
func (s *Service) invalidateAll() {
	s.authz.InvalidateAll()
	s.notify("*")
}

// notify publishes an invalidation; on failure the caches' TTL still
// bounds how stale other servers are.
func (s *Service) notify(payload string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.st.db.Notify(ctx, channelOrg, payload)
}
