package pca

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/openpca/openpca/internal/pki"
)

// ocspRequest encodes a request for serial under issuer, with a nonce
// when given (x/crypto/ocsp cannot add one).
func ocspRequest(t testing.TB, issuer *x509.Certificate, serial *big.Int, h crypto.Hash, nonce []byte) []byte {
	t.Helper()
	type certID struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		NameHash      []byte
		IssuerKeyHash []byte
		SerialNumber  *big.Int
	}
	type request struct{ Cert certID }
	type tbsRequest struct {
		RequestList []request
		Extensions  []pkix.Extension `asn1:"explicit,tag:2,optional"`
	}
	type ocspReq struct{ TBS tbsRequest }
	nameHash, keyHash, err := pki.IssuerHashes(issuer, h)
	if err != nil {
		t.Fatal(err)
	}
	oid := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: {1, 3, 14, 3, 2, 26}, crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1}}[h]
	req := ocspReq{TBS: tbsRequest{RequestList: []request{{Cert: certID{
		HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue},
		NameHash:      nameHash, IssuerKeyHash: keyHash, SerialNumber: serial}}}}}
	if nonce != nil {
		v, _ := asn1.Marshal(nonce)
		req.TBS.Extensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, Value: v}}
	}
	der, err := asn1.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestOCSPResponder(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	ca := e.revRoot(bothOn())
	issuer := e.caCertOf(ca)
	goodARN, good := e.leaf(ca, "good.example.com")
	revARN, rev := e.leaf(ca, "revoked.example.com")
	_ = goodARN
	if err := e.revoke(ca, serialOf(revARN), "KEY_COMPROMISE"); err != nil {
		t.Fatal(err)
	}
	noOCSP := e.revRoot(crlOn(nil))
	_, noOCSPLeaf := e.leaf(noOCSP, "x.example.com")
	foreign := newEnv(t, Config{}).revRoot(bothOn())
	_ = foreign

	nonce := []byte("0123456789abcdef")
	tests := []struct {
		name       string
		req        []byte
		wantErr    ocsp.ResponseStatus // 0: successful
		wantStatus int
		wantReason int
	}{
		{name: "good SHA-1", req: ocspRequest(t, issuer, good.SerialNumber, crypto.SHA1, nil), wantStatus: ocsp.Good},
		{name: "good SHA-256 with nonce", req: ocspRequest(t, issuer, good.SerialNumber, crypto.SHA256, nonce), wantStatus: ocsp.Good},
		{name: "revoked", req: ocspRequest(t, issuer, rev.SerialNumber, crypto.SHA1, nonce), wantStatus: ocsp.Revoked, wantReason: ocsp.KeyCompromise},
		{name: "never issued", req: ocspRequest(t, issuer, big.NewInt(0x7777), crypto.SHA1, nil), wantStatus: ocsp.Unknown},
		{name: "negative serial", req: ocspRequest(t, issuer, new(big.Int).Neg(good.SerialNumber), crypto.SHA1, nil), wantStatus: ocsp.Unknown},
		{name: "the root itself", req: ocspRequest(t, issuer, issuer.SerialNumber, crypto.SHA1, nil), wantStatus: ocsp.Good},
		{name: "OCSP disabled on the CA", req: ocspRequest(t, e.caCertOf(noOCSP), noOCSPLeaf.SerialNumber, crypto.SHA1, nil), wantErr: ocsp.Unauthorized},
		{name: "foreign issuer", req: ocspRequest(t, good, big.NewInt(1), crypto.SHA1, nil), wantErr: ocsp.Unauthorized},
		{name: "garbage", req: []byte{0x30, 0x03, 0x02, 0x01}, wantErr: ocsp.Malformed},
		{name: "empty", req: nil, wantErr: ocsp.Malformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := e.svc.OCSP(bg, tc.req)
			r, err := ocsp.ParseResponse(ans.DER, issuer)
			if tc.wantErr != 0 {
				var re ocsp.ResponseError
				if !errors.As(err, &re) || re.Status != tc.wantErr || ans.Successful {
					t.Fatalf("want %v, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse/verify: %v", err)
			}
			if r.Status != tc.wantStatus {
				t.Fatalf("status %d, want %d", r.Status, tc.wantStatus)
			}
			now := e.clk.Now().Truncate(time.Second)
			if !r.ThisUpdate.Equal(now) || !r.NextUpdate.Equal(now.Add(DefaultOCSPValidity)) || !ans.NextUpdate.Equal(r.NextUpdate) {
				t.Errorf("thisUpdate %v nextUpdate %v", r.ThisUpdate, r.NextUpdate)
			}
			if tc.wantStatus == ocsp.Revoked && (r.RevocationReason != tc.wantReason || !r.RevokedAt.Equal(now)) {
				t.Errorf("revoked %v reason %d", r.RevokedAt, r.RevocationReason)
			}
		})
	}
}

// TestOCSPRevocationVisibleAtOnce: a cached good answer turns revoked the
// moment RevokeCertificate returns.
func TestOCSPRevocationVisibleAtOnce(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	ca := e.revRoot(bothOn())
	issuer := e.caCertOf(ca)
	arn, leaf := e.leaf(ca, "a.example.com")
	req := ocspRequest(t, issuer, leaf.SerialNumber, crypto.SHA1, nil)
	first := e.svc.OCSP(bg, req)
	e.clk.Advance(time.Minute)
	if second := e.svc.OCSP(bg, req); !bytes.Equal(first.DER, second.DER) {
		t.Error("the good answer was not served from the cache")
	}
	if err := e.revoke(ca, serialOf(arn), "AFFILIATION_CHANGED"); err != nil {
		t.Fatal(err)
	}
	r, err := ocsp.ParseResponse(e.svc.OCSP(bg, req).DER, issuer)
	if err != nil || r.Status != ocsp.Revoked || r.RevocationReason != ocsp.AffiliationChanged {
		t.Fatalf("after revocation: %v %+v", err, r)
	}
	// Disabling OCSP is honoured once the responder view is reloaded.
	e.svc.rev.respMu.Lock()
	e.svc.rev.responders = map[string]*responder{}
	e.svc.rev.respMu.Unlock()
	if _, err := e.svc.UpdateCertificateAuthority(bg, rootCaller(acct), &UpdateCertificateAuthorityInput{CertificateAuthorityArn: ca,
		RevocationConfiguration: &RevocationConfiguration{OcspConfiguration: &OcspConfiguration{Enabled: boolp(false)}}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.svc.OCSP(bg, req).DER, pki.OCSPUnauthorized) {
		t.Error("OCSP still answers for a CA with OCSP disabled")
	}
}

// TestOCSPAfterRestart: a fresh process finds the issuer by rescanning.
func TestOCSPAfterRestart(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	ca := e.revRoot(bothOn())
	issuer := e.caCertOf(ca)
	_, leaf := e.leaf(ca, "a.example.com")
	e.reopen()
	r, err := ocsp.ParseResponse(e.svc.OCSP(bg, ocspRequest(t, issuer, leaf.SerialNumber, crypto.SHA1, nil)).DER, issuer)
	if err != nil || r.Status != ocsp.Good {
		t.Fatalf("%v %+v", err, r)
	}
}

// FuzzOCSPRequest: any input yields a successful response that parses and
// verifies, or an OCSP error status; never a panic.
func FuzzOCSPRequest(f *testing.F) {
	e := newEnv(f, Config{PublicBaseURL: base})
	ca := e.revRoot(bothOn())
	issuer := e.caCertOf(ca)
	_, leaf := e.leaf(ca, "a.example.com")
	f.Add(ocspRequest(f, issuer, leaf.SerialNumber, crypto.SHA1, nil))
	f.Add(ocspRequest(f, issuer, leaf.SerialNumber, crypto.SHA256, []byte("nonce")))
	f.Add(ocspRequest(f, issuer, big.NewInt(5), crypto.SHA1, nil))
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		ans := e.svc.OCSP(bg, in)
		r, err := ocsp.ParseResponse(ans.DER, issuer)
		var re ocsp.ResponseError
		switch {
		case errors.As(err, &re):
			if ans.Successful || (re.Status != ocsp.Malformed && re.Status != ocsp.Unauthorized) {
				t.Fatalf("status %v", re.Status)
			}
		case err != nil:
			t.Fatalf("invalid response: %v", err)
		case !ans.Successful || r == nil:
			t.Fatal("successful response not marked so")
		}
	})
}

// BenchmarkOCSP measures the responder with parallel callers: "cached" is
// the RFC 5019 case (no nonce, the same serials again: parse and serve the
// signed answer); "nonce" signs every answer (status from the cache);
// "uncached" drops the cache first, so every answer reads the database
// and signs.
func BenchmarkOCSP(b *testing.B) {
	e := newEnv(b, Config{PublicBaseURL: base})
	ca := e.revRoot(bothOn())
	issuer := e.caCertOf(ca)
	var reqs, nonced [][]byte
	for range 16 {
		_, leaf := e.leaf(ca, "bench.example.com")
		reqs = append(reqs, ocspRequest(b, issuer, leaf.SerialNumber, crypto.SHA1, nil))
		nonced = append(nonced, ocspRequest(b, issuer, leaf.SerialNumber, crypto.SHA1, []byte("0123456789abcdef")))
	}
	serials := make([]string, len(reqs))
	for i, r := range reqs {
		q, _ := pki.ParseOCSPRequest(r)
		serials[i] = pki.SerialHex(q.Serial)
	}
	id := caIDOf(ca)
	for _, bc := range []struct {
		name string
		reqs [][]byte
		drop bool
	}{{"cached", reqs, false}, {"nonce", nonced, false}, {"uncached", reqs, true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if bc.drop {
						e.svc.rev.dropOCSP(id, serials[i%len(serials)])
					}
					if ans := e.svc.OCSP(bg, bc.reqs[i%len(bc.reqs)]); !ans.Successful {
						b.Error("unsuccessful answer")
						return
					}
					i++
				}
			})
		})
	}
}

// TestOCSPCacheKeyedByHash: cached answers are kept per CertID hash, so a
// SHA-1 request after a SHA-256 one gets a SHA-1 CertID (RFC 6960
// §4.2.1), and a revocation drops the answers of every hash.
func TestOCSPCacheKeyedByHash(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	ca := e.revRoot(bothOn())
	issuer := e.caCertOf(ca)
	arn, leaf := e.leaf(ca, "a.example.com")
	order := []crypto.Hash{crypto.SHA256, crypto.SHA1, crypto.SHA256, crypto.SHA1}
	check := func(wantStatus int) {
		t.Helper()
		for i, h := range order {
			r, err := ocsp.ParseResponse(e.svc.OCSP(bg, ocspRequest(t, issuer, leaf.SerialNumber, h, nil)).DER, issuer)
			if err != nil {
				t.Fatalf("request %d (%v): %v", i, h, err)
			}
			if r.IssuerHash != h || r.Status != wantStatus {
				t.Errorf("request %d (%v): CertID hash %v, status %d; want %v, %d", i, h, r.IssuerHash, r.Status, h, wantStatus)
			}
		}
	}
	check(ocsp.Good)
	if err := e.revoke(ca, serialOf(arn), "KEY_COMPROMISE"); err != nil {
		t.Fatal(err)
	}
	check(ocsp.Revoked)
}

// TestOCSPRevocationDuringStatusRead: a revocation committed between an
// OCSP request's status read and its cache store is not hidden by the
// stale "good" answer.
func TestOCSPRevocationDuringStatusRead(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	ca := e.revRoot(bothOn())
	issuer := e.caCertOf(ca)
	arn, leaf := e.leaf(ca, "a.example.com")
	req := ocspRequest(t, issuer, leaf.SerialNumber, crypto.SHA1, nil)
	e.svc.rev.afterOCSPStatus = func() {
		e.svc.rev.afterOCSPStatus = nil
		if err := e.revoke(ca, serialOf(arn), "KEY_COMPROMISE"); err != nil {
			t.Error(err)
		}
	}
	if r, err := ocsp.ParseResponse(e.svc.OCSP(bg, req).DER, issuer); err != nil || r.Status != ocsp.Good {
		t.Fatalf("racing request: %v %+v", err, r)
	}
	r, err := ocsp.ParseResponse(e.svc.OCSP(bg, req).DER, issuer)
	if err != nil || r.Status != ocsp.Revoked {
		t.Fatalf("after the revocation: %v, status %d, want revoked", err, r.Status)
	}
}

// TestOCSPConcurrentAtStartup: right after a restart, requests arriving
// together while the issuer index is first loaded must all find the CA;
// none may answer unauthorized (a fail-open client would accept a revoked
// certificate).
func TestOCSPConcurrentAtStartup(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	// OCSP only: no CRL publication at start indexes the CA before the
	// requests arrive.
	ca := e.revRoot(&RevocationConfiguration{OcspConfiguration: &OcspConfiguration{Enabled: boolp(true)}})
	issuer := e.caCertOf(ca)
	arn, leaf := e.leaf(ca, "revoked.example.com")
	if err := e.revoke(ca, serialOf(arn), "KEY_COMPROMISE"); err != nil {
		t.Fatal(err)
	}
	req := ocspRequest(t, issuer, leaf.SerialNumber, crypto.SHA1, nil)
	for round := range 5 {
		e.reopen()
		const n = 64
		start := make(chan struct{})
		answers := make([]*OCSPAnswer, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				answers[i] = e.svc.OCSP(bg, req)
			})
		}
		close(start)
		wg.Wait()
		for i, a := range answers {
			r, err := ocsp.ParseResponse(a.DER, issuer)
			if err != nil || r.Status != ocsp.Revoked {
				t.Fatalf("round %d request %d: %v %+v", round, i, err, r)
			}
		}
	}
}

// TestOCSPStoreFailureIsTryLater: when the issuer index cannot be loaded
// the responder says tryLater, never unauthorized for what may be its CA.
func TestOCSPStoreFailureIsTryLater(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	// OCSP only: no CRL publication at start indexes the CA first.
	ca := e.revRoot(&RevocationConfiguration{OcspConfiguration: &OcspConfiguration{Enabled: boolp(true)}})
	issuer := e.caCertOf(ca)
	_, leaf := e.leaf(ca, "a.example.com")
	e.reopen()
	e.db.Close() // every query fails from now on
	if got := e.svc.OCSP(bg, ocspRequest(t, issuer, leaf.SerialNumber, crypto.SHA1, nil)); !bytes.Equal(got.DER, pki.OCSPTryLater) {
		t.Fatalf("answer %x, want tryLater", got.DER)
	}
}
