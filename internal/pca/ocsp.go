package pca

import (
	"context"
	"crypto"
	"crypto/x509"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/pki"
)

const (
	// responderTTL bounds how long a CA's OCSP view (status, OCSP
	// configuration, certificate, key) is reused before it is reloaded.
	responderTTL = 10 * time.Second
	// issuerRescan bounds how often an unknown issuer hash rescans the CAs.
	issuerRescan = time.Second
	// maxOCSPCache bounds the signed responses kept; beyond it the cache
	// starts over.
	maxOCSPCache = 200_000
)

// OCSPAnswer is what the OCSP responder sends: DER, and for a successful
// response its validity (for HTTP caching headers).
type OCSPAnswer struct {
	DER                    []byte
	Successful             bool
	ThisUpdate, NextUpdate time.Time
}

func ocspURL(ca *caRow, base string) string {
	if ca.Revocation == nil || ca.Revocation.OcspConfiguration == nil {
		return ""
	}
	o := ca.Revocation.OcspConfiguration
	if o.Enabled == nil || !*o.Enabled {
		return ""
	}
	if o.OcspCustomCname != "" {
		return "http://" + o.OcspCustomCname // AWS's form: the CNAME's root
	}
	if base == "" {
		return ""
	}
	return base + "/ocsp"
}

// ocspURLs are the AIA OCSP locations for certificates the CA issues now.
func (s *Service) ocspURLs(ca *caRow) []string {
	if u := ocspURL(ca, s.cfg.PublicBaseURL); u != "" {
		return []string{u}
	}
	return nil
}

// responder is a CA's OCSP view, reloaded every responderTTL.
type responder struct {
	ca      *caRow
	cert    *x509.Certificate
	signer  crypto.Signer
	enabled bool
	loaded  time.Time // wall clock, for the TTL
}

// ocspEntry is a cached answer for one serial: its status, and the signed
// response without nonce.
type ocspEntry struct {
	status     pki.OCSPStatus
	revokedAt  time.Time
	reason     pki.RevocationReason
	der        []byte
	thisUpdate time.Time
	nextUpdate time.Time
	expires    time.Time // service clock
}

// OCSP answers a DER OCSP request (RFC 6960, RFC 5019 profile) for any CA
// of this server: good, revoked (time and reason) or unknown, signed by
// the CA key, with the request's nonce echoed. It never fails: malformed
// requests get malformedRequest, issuers this server does not serve (or
// whose CA has OCSP disabled or is not ACTIVE/DISABLED) unauthorized, and
// internal failures internalError. Responses to requests without a nonce
// are cached per serial and CertID hash until revocation or OCSPCacheTTL.
func (s *Service) OCSP(ctx context.Context, der []byte) *OCSPAnswer {
	req, err := pki.ParseOCSPRequest(der)
	if err != nil {
		return &OCSPAnswer{DER: pki.OCSPMalformedRequest}
	}
	if s.closed.Load() {
		return &OCSPAnswer{DER: pki.OCSPTryLater}
	}
	caID, ok := s.rev.issuers.lookup(req.HashAlgorithm, req.IssuerKeyHash)
	if !ok {
		if err := s.rev.rescanIssuers(ctx); err != nil {
			// Not "unauthorized": the issuer may well be ours.
			return &OCSPAnswer{DER: pki.OCSPTryLater}
		}
		if caID, ok = s.rev.issuers.lookup(req.HashAlgorithm, req.IssuerKeyHash); !ok {
			return &OCSPAnswer{DER: pki.OCSPUnauthorized}
		}
	}
	rs, err := s.rev.responder(ctx, caID)
	if err != nil {
		return &OCSPAnswer{DER: pki.OCSPInternalError}
	}
	now := s.clk.Now()
	if rs == nil || !rs.enabled || !canPublish(rs.ca, now) {
		return &OCSPAnswer{DER: pki.OCSPUnauthorized}
	}
	if nameHash, _, err := pki.IssuerHashes(rs.cert, req.HashAlgorithm); err != nil || string(nameHash) != string(req.IssuerNameHash) {
		return &OCSPAnswer{DER: pki.OCSPUnauthorized}
	}

	serial := ""
	if req.Serial.Sign() > 0 {
		serial = pki.SerialHex(req.Serial)
	}
	// The hash is part of the key: the response's CertID must repeat the
	// request's (RFC 6960 §4.2.1), so a SHA-256 answer cannot serve SHA-1.
	key := ocspKey(caID, serial, req.HashAlgorithm)
	e, gen := s.rev.cachedOCSP(key, now)
	if e != nil && req.Nonce == nil {
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.OCSPServed(now.Sub(e.thisUpdate))
		}
		return &OCSPAnswer{DER: e.der, Successful: true, ThisUpdate: e.thisUpdate, NextUpdate: e.nextUpdate}
	}
	if e == nil {
		e = &ocspEntry{status: pki.OCSPUnknown}
		if serial != "" {
			cs, err := s.certStatus(ctx, caID, serial)
			if err != nil {
				return &OCSPAnswer{DER: pki.OCSPInternalError}
			}
			if h := s.rev.afterOCSPStatus; h != nil {
				h()
			}
			switch {
			case cs == nil:
			case cs.Revoked():
				e.status, e.revokedAt, e.reason = pki.OCSPRevoked, cs.RevokedAt, pki.RevocationReason(cs.Reason)
			default:
				e.status = pki.OCSPGood
			}
		}
	}
	this := now.Truncate(time.Second)
	resp := &pki.OCSPResponse{Issuer: rs.cert, Signer: rs.signer, SigningAlgorithm: pki.SigningAlgorithm(rs.ca.Config.SigningAlgorithm),
		HashAlgorithm: req.HashAlgorithm, Serial: req.Serial, Status: e.status, RevokedAt: e.revokedAt, Reason: e.reason,
		ProducedAt: this, ThisUpdate: this, NextUpdate: this.Add(s.cfg.OCSPValidity), Nonce: req.Nonce}
	out, err := pki.BuildOCSPResponse(resp)
	if err != nil {
		return &OCSPAnswer{DER: pki.OCSPInternalError}
	}
	ans := &OCSPAnswer{DER: out, Successful: true, ThisUpdate: resp.ThisUpdate, NextUpdate: resp.NextUpdate}
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.OCSPServed(now.Sub(this))
	}
	// Unknown serials are not cached: the serial may be issued later.
	if req.Nonce == nil && e.status != pki.OCSPUnknown {
		e.der, e.thisUpdate, e.nextUpdate = out, resp.ThisUpdate, resp.NextUpdate
		e.expires = now.Add(s.cfg.OCSPCacheTTL)
		s.rev.storeOCSP(key, e, gen)
	}
	return ans
}

func ocspKey(caID, serial string, h crypto.Hash) string {
	return caID + "/" + serial + "/" + strconv.Itoa(int(h))
}

// cachedOCSP returns the live entry for key (nil if none) and the
// revocation generation, read together so that a status read after it
// is stored only if no revocation came in between (storeOCSP).
func (r *revocation) cachedOCSP(key string, now time.Time) (*ocspEntry, uint64) {
	r.ocspMu.RLock()
	e, gen := r.ocspCache[key], r.ocspGen
	r.ocspMu.RUnlock()
	if e == nil || !now.Before(e.expires) {
		return nil, gen
	}
	return e, gen
}

// storeOCSP caches e unless a revocation happened since generation gen
// was read: the status in e may predate it, and caching it would hide the
// revocation for up to OCSPCacheTTL.
func (r *revocation) storeOCSP(key string, e *ocspEntry, gen uint64) {
	r.ocspMu.Lock()
	defer r.ocspMu.Unlock()
	if r.ocspGen != gen {
		return
	}
	if len(r.ocspCache) >= maxOCSPCache {
		r.ocspCache = map[string]*ocspEntry{}
	}
	r.ocspCache[key] = e
}

// dropOCSP forgets the serial's answers for every hash algorithm and
// starts a new revocation generation (see storeOCSP).
func (r *revocation) dropOCSP(caID, serial string) {
	r.ocspMu.Lock()
	r.ocspGen++
	for _, h := range ocspHashes {
		delete(r.ocspCache, ocspKey(caID, serial, h))
	}
	r.ocspMu.Unlock()
}

// responder returns the CA's OCSP view, loading it when absent or older
// than responderTTL; nil when the CA no longer exists.
func (r *revocation) responder(ctx context.Context, caID string) (*responder, error) {
	r.respMu.Lock()
	old := r.responders[caID]
	r.respMu.Unlock()
	if old != nil && time.Since(old.loaded) < responderTTL {
		return old, nil
	}
	s := r.s
	ca, err := s.getCA(ctx, caID)
	if err != nil || ca == nil {
		return nil, err
	}
	cert, err := s.caCert(ca)
	if err != nil {
		return nil, err
	}
	rs := &responder{ca: ca, cert: cert, loaded: time.Now(), enabled: ocspURL(ca, "-") != ""}
	if cert != nil && rs.enabled {
		// The old view's signer is reused when the key has not changed.
		if old != nil && old.ca.KeyHandle == ca.KeyHandle && string(old.ca.KeyBlob) == string(ca.KeyBlob) && old.signer != nil {
			rs.signer = old.signer
		} else if rs.signer, err = s.keys.Signer(ctx, ca.KeyHandle, ca.KeyBlob); err != nil {
			return nil, err
		}
	} else {
		rs.enabled = false
	}
	r.respMu.Lock()
	r.responders[caID] = rs
	r.respMu.Unlock()
	return rs, nil
}

// issuerIndex finds a CA by the hash of its public key, as OCSP CertIDs
// name issuers.
type issuerIndex struct {
	mu    sync.RWMutex
	byKey map[string]string // hash id + key hash → CA id

	// scanMu serializes rescans; lastScan (wall clock, under scanMu) is
	// set only once a scan has filled the index, so a request that finds
	// a scan running waits for it instead of answering from a half-empty
	// index.
	scanMu   sync.Mutex
	lastScan time.Time
}

func newIssuerIndex() *issuerIndex { return &issuerIndex{byKey: map[string]string{}} }

var ocspHashes = []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512}

func (x *issuerIndex) add(caID string, cert *x509.Certificate) {
	keys := make([]string, 0, len(ocspHashes))
	for _, h := range ocspHashes {
		_, kh, err := pki.IssuerHashes(cert, h)
		if err != nil {
			return
		}
		keys = append(keys, string(rune(h))+string(kh))
	}
	x.mu.Lock()
	for _, k := range keys {
		x.byKey[k] = caID
	}
	x.mu.Unlock()
}

func (x *issuerIndex) lookup(h crypto.Hash, keyHash []byte) (string, bool) {
	var b strings.Builder
	b.WriteRune(rune(h))
	b.Write(keyHash)
	x.mu.RLock()
	id, ok := x.byKey[b.String()]
	x.mu.RUnlock()
	return id, ok
}

// rescanIssuers indexes every CA that may answer OCSP, at most once per
// issuerRescan (requests naming foreign issuers must not hammer the
// database). Callers arriving during a scan wait for it to finish and then
// use its result. An error (the store failed) leaves the index unmarked.
// CAs this process issues from are indexed as they are used.
func (r *revocation) rescanIssuers(ctx context.Context) error {
	x := r.issuers
	x.scanMu.Lock()
	defer x.scanMu.Unlock()
	if !x.lastScan.IsZero() && time.Since(x.lastScan) < issuerRescan {
		return nil
	}
	certs, err := r.s.issuerCerts(ctx)
	if err != nil {
		return err // not marked: the next request scans again
	}
	for id, der := range certs {
		if c, err := x509.ParseCertificate(der); err == nil {
			x.add(id, c)
		}
	}
	x.lastScan = time.Now()
	return nil
}
