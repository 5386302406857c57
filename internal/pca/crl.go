package pca

import (
	"context"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/pki"
)

// defaultCRLDays is nextUpdate − thisUpdate when ExpirationInDays is unset
// (AWS: 7 days).
const defaultCRLDays = 7

func crlConfig(ca *caRow) *CrlConfiguration {
	if ca.Revocation == nil || ca.Revocation.CrlConfiguration == nil {
		return nil
	}
	c := ca.Revocation.CrlConfiguration
	if c.Enabled == nil || !*c.Enabled {
		return nil
	}
	return c
}

// crlLocation returns where the CA's CRL lives: the URL for certificates'
// CRL distribution point ("" when there is no host to name: no
// CustomCname and no PublicBaseURL) and the URL path it is served at.
// CustomPath replaces the "crl" directory. ok is false when the CA has CRLs
// disabled.
func (s *Service) crlLocation(ca *caRow) (url, path string, ok bool) {
	c := crlConfig(ca)
	if c == nil {
		return "", "", false
	}
	dir := "crl"
	if p := strings.Trim(c.CustomPath, "/"); p != "" {
		dir = p
	}
	path = "/" + dir + "/" + ca.ID + ".crl"
	switch {
	case c.CustomCname != "":
		url = "http://" + c.CustomCname + path
	case s.cfg.PublicBaseURL != "":
		url = s.cfg.PublicBaseURL + path
	}
	return url, path, true
}

// cdpURLs are the CRL distribution points for certificates the CA issues
// now: none when CRLs are disabled or OmitExtension is set.
func (s *Service) cdpURLs(ca *caRow) []string {
	url, _, ok := s.crlLocation(ca)
	if !ok || url == "" {
		return nil
	}
	c := crlConfig(ca)
	if e := c.CrlDistributionPointExtensionConfiguration; e != nil && e.OmitExtension != nil && *e.OmitExtension {
		return nil
	}
	return []string{url}
}

// canPublish reports a CA whose state allows CRLs and OCSP answers
// (reference §2.2: ACTIVE and DISABLED) and which has a certificate.
func canPublish(ca *caRow, now time.Time) bool {
	st := ca.effectiveStatus(now)
	return (st == statusActive || st == statusDisabled) && len(ca.Cert) > 0
}

// generateCRL signs and stores a new CRL for ca: every revoked
// certificate that had not expired when the previous CRL was made (so an
// expired one appears in one CRL after expiry), CRL number one above the
// last, nextUpdate ExpirationInDays ahead, and for PARTITIONED CRLs the
// issuing distribution point. It also writes the CRL under
// CRLDir/<owner account>.
//
// need says whether a new CRL is still wanted once the CA's CRL lease is
// held (crl_lease.go); when it is not (another caller or server published
// meanwhile), the stored CRL is returned and nothing is signed. wait is
// for requests, which wait for another server's generation.
func (s *Service) generateCRL(ctx context.Context, ca *caRow, need crlNeed, wait bool) (_ *crlRecord, err error) {
	r := s.rev
	r.genMu.Lock()
	defer r.genMu.Unlock()
	url, path, ok := s.crlLocation(ca)
	if !ok {
		r.clearDirty(ca.ID)
		return nil, errf(ErrInvalidState, "The certificate authority %s has CRLs disabled.", ca.ARN)
	}
	held, cur, err := s.leaseCRL(ctx, ca.ID, path, need, wait)
	if err != nil || !held {
		return cur, err
	}
	defer s.releaseCRL(ca.ID)
	r.clearDirty(ca.ID) // a hint only: pending revocations are derived from the store
	issuer, err := s.caCert(ca)
	if err != nil {
		return nil, err
	}
	if issuer == nil {
		return nil, wrongState(ca.ARN, "publish a CRL")
	}
	signer, err := s.keys.Signer(ctx, ca.KeyHandle, ca.KeyBlob)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The certificate authority key is not available.", Err: err}
	}
	prev, err := s.getCRL(ctx, ca.ID)
	if err != nil {
		return nil, err
	}
	var number int64 = 1
	var since time.Time
	if prev != nil {
		number, since = prev.Number+1, prev.ThisUpdate
	}
	// Read before listing: every revocation counted has committed and is
	// listed; one committing later leaves the counter above Covered.
	covered, err := s.revocationCount(ctx, ca.ID)
	if err != nil {
		return nil, err
	}
	entries, err := s.listRevoked(ctx, ca.ID, since)
	if err != nil {
		return nil, err
	}
	c := crlConfig(ca)
	days := defaultCRLDays
	if c.ExpirationInDays != nil && *c.ExpirationInDays > 0 {
		days = int(*c.ExpirationInDays)
	}
	now := s.clk.Now().Truncate(time.Second)
	req := &pki.CRLRequest{Issuer: issuer, Signer: signer, SigningAlgorithm: pki.SigningAlgorithm(ca.Config.SigningAlgorithm),
		Number: big.NewInt(number), ThisUpdate: now, NextUpdate: now.AddDate(0, 0, days), Entries: entries}
	if c.CrlType == "PARTITIONED" && url != "" {
		req.DistributionPoint = url
	}
	der, err := pki.BuildCRL(req)
	if err != nil {
		return nil, fromPKI(err)
	}
	rec := &crlRecord{Number: number, ThisUpdate: req.ThisUpdate, NextUpdate: req.NextUpdate, Path: path, DER: der, Covered: covered}
	stored, err := s.putCRL(ctx, ca.ID, rec, s.clk.Now())
	if err == nil && s.cfg.Metrics != nil {
		s.cfg.Metrics.CRLGenerated(ca.ARN, rec.ThisUpdate)
	}
	if err != nil {
		return nil, err
	}
	if !stored { // the lease expired and another server published: serve that
		return s.getCRL(ctx, ca.ID)
	}
	r.crlCache.Store(ca.ID, rec)
	// The stored CRL is what is served; the directory copy is a
	// convenience for static servers. Failing here must not fail the
	// request nor make the CRL stale: every anonymous GET would then sign
	// a new CRL. The next scheduled publication writes the file again.
	if s.cfg.CRLDir != "" {
		// Each account writes under its own directory (its "bucket"), so
		// no account's CustomPath can occupy a path another CA writes to.
		if err := writeCRLFile(filepath.Join(s.cfg.CRLDir, ca.Owner), path, der); err != nil {
			s.cfg.Logger.Warn("pca: writing the CRL file failed", "ca", ca.ID, "crl_number", number, "error", err.Error())
		}
	}
	return rec, nil
}

// crlStale reports whether the CA's stored CRL rec must be regenerated
// before it is served at path: none yet, revocations stored that it lacks
// (pending), past its nextUpdate, or published at another path.
func crlStale(rec *crlRecord, pending bool, path string, now time.Time) bool {
	return rec == nil || pending || !now.Before(rec.NextUpdate) || rec.Path != path
}

// writeCRLFile writes der at dir/path atomically. A path that would
// leave dir (a CustomPath with "..") is refused.
func writeCRLFile(dir, path string, der []byte) error {
	rel := filepath.FromSlash(strings.TrimPrefix(path, "/"))
	if !filepath.IsLocal(rel) {
		return errf(ErrInvalidArgs, "The CRL path %s is not inside the CRL directory.", path)
	}
	full := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".crl-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(der); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), full)
}

// CRL returns the DER CRL that CA caID publishes at the URL path, for the
// HTTP transport. The CRL is regenerated first when revocations are
// pending, none exists yet, it passed its nextUpdate, or the CA's path
// changed. ErrNotFound when the CA does not exist or publishes no CRL
// there.
func (s *Service) CRL(ctx context.Context, caID, path string) ([]byte, error) {
	notFound := errf(ErrNotFound, "No CRL is published at %s.", path)
	if !uuidRE.MatchString(caID) || s.closed.Load() {
		return nil, notFound
	}
	ca, err := s.getCA(ctx, caID)
	if err != nil {
		return nil, err
	}
	if ca == nil || ca.Status == statusDeleted {
		return nil, notFound
	}
	_, want, ok := s.crlLocation(ca)
	if !ok || want != path {
		return nil, notFound
	}
	rec, pending, err := s.currentCRL(ctx, caID)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	if canPublish(ca, now) && crlStale(rec, pending, path, now) {
		if rec, err = s.generateCRL(ctx, ca, crlStale, true); err != nil {
			return nil, err
		}
	}
	if rec == nil {
		return nil, notFound
	}
	return rec.DER, nil
}

// currentCRL is the stored CRL, from memory when its number is current,
// and whether revocations were stored after it was built.
func (s *Service) currentCRL(ctx context.Context, caID string) (*crlRecord, bool, error) {
	n, pending, err := s.crlNumber(ctx, caID)
	if err != nil || n == 0 {
		return nil, false, err
	}
	if v, ok := s.rev.crlCache.Load(caID); ok && v.(*crlRecord).Number == n {
		return v.(*crlRecord), pending, nil
	}
	rec, err := s.getCRL(ctx, caID)
	if err != nil || rec == nil {
		return nil, false, err
	}
	s.rev.crlCache.Store(caID, rec)
	return rec, pending, nil
}

func (r *revocation) markDirty(caID string) {
	r.crlMu.Lock()
	r.dirty[caID] = true
	r.crlMu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (r *revocation) clearDirty(caID string) {
	r.crlMu.Lock()
	delete(r.dirty, caID)
	r.crlMu.Unlock()
}

// loop is the CRL scheduler: after a revocation it waits CRLDebounce (to
// take the revocations that follow into the same CRL) and publishes; at
// start and every CRLCheckInterval it publishes the CRLs that are due,
// including those lacking revocations a crashed process acknowledged.
func (r *revocation) loop() {
	defer close(r.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // the first pass must not hold up stop
		select {
		case <-r.stop:
			cancel()
		case <-r.done:
		}
	}()
	r.s.publishDue(ctx)
	tick := time.NewTicker(r.s.cfg.CRLCheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-r.kick:
			select {
			case <-time.After(r.s.cfg.CRLDebounce):
			case <-r.stop:
				return
			}
			r.s.publishDirty(ctx)
		case <-tick.C:
			r.s.publishDue(ctx)
		}
	}
}

// publishDirty regenerates the CRLs of CAs revoked from in this process.
// Failures are retried by publishDue, which finds them pending in the store.
func (s *Service) publishDirty(ctx context.Context) {
	s.rev.crlMu.Lock()
	ids := make([]string, 0, len(s.rev.dirty))
	for id := range s.rev.dirty {
		ids = append(ids, id)
	}
	s.rev.crlMu.Unlock()
	for _, id := range ids {
		s.publishOne(ctx, id)
	}
}

// publishDue regenerates every CRL that is missing, lacks stored
// revocations, or has run through half of its validity: well before
// nextUpdate, so relying parties never hold an expired CRL.
func (s *Service) publishDue(ctx context.Context) {
	scheds, err := s.crlSchedules(ctx)
	if err != nil {
		return
	}
	now := s.clk.Now()
	for _, c := range scheds {
		half := c.ThisUpdate.Add(c.NextUpdate.Sub(c.ThisUpdate) / 2)
		if c.ThisUpdate.IsZero() || !now.Before(half) || c.Pending {
			s.publishOne(ctx, c.CAID)
		}
	}
}

func (s *Service) publishOne(ctx context.Context, caID string) {
	ca, err := s.getCA(ctx, caID)
	if err != nil || ca == nil {
		if ca == nil && err == nil {
			s.rev.clearDirty(caID)
		}
		return
	}
	if _, _, ok := s.crlLocation(ca); !ok || !canPublish(ca, s.clk.Now()) {
		s.rev.clearDirty(caID)
		return
	}
	_, _ = s.generateCRL(ctx, ca, needDue, false) // a failure stays pending in the store for the next run
}

// forgetCA drops a removed CA's CRL and OCSP state from memory.
func (r *revocation) forgetCA(caID string) {
	r.crlCache.Delete(caID)
	r.clearDirty(caID)
	r.respMu.Lock()
	delete(r.responders, caID)
	r.respMu.Unlock()
}
