package pca

import (
	"context"
	"time"
)

// Channels on which servers sharing a PostgreSQL database tell each other
// which CA's cached row or policy to drop (store.DB.Notify; nothing on
// SQLite).
const (
	channelCA     = "openpca_pca_ca"
	channelPolicy = "openpca_pca_policy"
)

// listenInvalidations makes other servers' CA writes drop this server's
// cached copies at once; a lost connection drops everything.
func (s *Service) listenInvalidations() {
	s.db.Listen(channelCA, s.dropCA)
	s.db.Listen(channelPolicy, s.dropPolicy)
}

// notify publishes an invalidation; on failure the caches' TTL still
// bounds how stale other servers are.
func (s *Service) notify(channel, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.db.Notify(ctx, channel, id); err != nil {
		s.cfg.Logger.Warn("pca: cache invalidation not sent", "channel", channel, "error", err.Error())
	}
}
