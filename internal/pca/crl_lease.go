package pca

import (
	"context"
	"time"
)

// CRL generation is leased per CA in the database (store.TryLease), so
// that of several servers sharing one PostgreSQL database exactly one
// signs a given CRL generation: the others wait for its result (requests)
// or leave the work to it (the scheduler). The lease expires on the
// holder's injected clock; a server that died holding it is replaced once
// that time has passed.
const (
	// crlLeaseTTL bounds how long a dead holder blocks a CA's CRL on
	// PostgreSQL (an embedded store drops its leases at start); signing
	// takes milliseconds, 1,000,000 entries a few seconds.
	crlLeaseTTL = 15 * time.Second
	// crlLeasePoll is how often a waiting request looks again.
	crlLeasePoll = 20 * time.Millisecond
	// crlWaitStale is how long a request waits for another holder before
	// it serves the CRL stored already instead, when that CRL lacks no
	// acknowledged revocation (only its time is up): one that does is
	// never served while the holder may still replace it.
	crlWaitStale = 5 * time.Second
)

// crlNeed reports whether the stored CRL cur (nil when none; pending when
// revocations were stored after it) must be replaced at path.
type crlNeed func(cur *crlRecord, pending bool, path string, now time.Time) bool

// needDue is the scheduler's reason: stale, or half of its validity gone.
func needDue(cur *crlRecord, pending bool, path string, now time.Time) bool {
	if crlStale(cur, pending, path, now) {
		return true
	}
	half := cur.ThisUpdate.Add(cur.NextUpdate.Sub(cur.ThisUpdate) / 2)
	return !now.Before(half)
}

func crlLeaseName(caID string) string { return "pca-crl/" + caID }

// leaseCRL takes the CA's CRL lease when a new CRL is still needed; held
// reports that the caller must build one and then releaseCRL. Otherwise
// cur is the CRL to serve: one published meanwhile, here or by another
// server. With wait, a lease held elsewhere is waited for (until it is
// released or expires, or crlWaitStale passed and the stored CRL has
// every acknowledged revocation);
// without, the holder's generation is left to it.
func (s *Service) leaseCRL(ctx context.Context, caID, path string, need crlNeed, wait bool) (held bool, cur *crlRecord, err error) {
	start := time.Now()
	for {
		got, err := s.db.TryLease(ctx, crlLeaseName(caID), s.rev.holder, s.clk.Now(), crlLeaseTTL)
		if err != nil {
			return false, nil, err
		}
		// Checked after taking the lease: a previous holder's CRL,
		// committed before its release, is seen here.
		cur, pending, err := s.currentCRL(ctx, caID)
		if err != nil {
			if got {
				s.releaseCRL(caID)
			}
			return false, nil, err
		}
		needed := need(cur, pending, path, s.clk.Now())
		switch {
		case got && needed:
			return true, cur, nil
		case got:
			s.releaseCRL(caID)
			return false, cur, nil
		case !needed || !wait || (cur != nil && !pending && time.Since(start) > crlWaitStale):
			return false, cur, nil
		}
		select {
		case <-ctx.Done():
			return false, nil, ctx.Err()
		case <-time.After(crlLeasePoll):
		}
	}
}

// releaseCRL gives the CA's CRL lease back. Its failure leaves the lease
// to expire.
func (s *Service) releaseCRL(caID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.db.ReleaseLease(ctx, crlLeaseName(caID), s.rev.holder); err != nil {
		s.cfg.Logger.Warn("pca: releasing the CRL lease failed", "ca", caID, "error", err.Error())
	}
}
