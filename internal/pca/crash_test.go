package pca

import (
	"crypto/x509"
	"math/big"
	"testing"
	"time"
)

func crlHas(crl *x509.RevocationList, serial *big.Int) bool {
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(serial) == 0 {
			return true
		}
	}
	return false
}

// storedCRL parses the CRL the store holds for the CA, as the scheduler
// left it (CRL would regenerate it on the spot).
func (e *env) storedCRL(ca string) *x509.RevocationList {
	e.t.Helper()
	rec, err := e.svc.getCRL(bg, caIDOf(ca))
	if err != nil || rec == nil {
		e.t.Fatalf("stored CRL: %v %v", rec, err)
	}
	crl, err := x509.ParseRevocationList(rec.DER)
	if err != nil {
		e.t.Fatal(err)
	}
	return crl
}

// TestRevocationInCRLAfterCrash: a revocation acknowledged just before the
// process dies (its debounced republication never ran) is in a CRL within
// the publication interval after restart, published by the scheduler and
// served by the CRL endpoint; the need to republish is read from the
// store, not from the dead process's memory.
func TestRevocationInCRLAfterCrash(t *testing.T) {
	for _, via := range []string{"scheduler", "endpoint"} {
		t.Run(via, func(t *testing.T) {
			// The debounce never fires before the "crash".
			e := newEnv(t, Config{PublicBaseURL: base, CRLDebounce: time.Hour, CRLCheckInterval: time.Hour})
			ca := e.revRoot(crlOn(nil))
			arn, leaf := e.leaf(ca, "crash.example.com")
			if n := e.fetchCRL(ca).Number.Int64(); n != 1 {
				t.Fatalf("first CRL number %d", n)
			}
			if err := e.revoke(ca, serialOf(arn), "KEY_COMPROMISE"); err != nil {
				t.Fatal(err)
			}
			if crlHas(e.storedCRL(ca), leaf.SerialNumber) {
				t.Fatal("published before the crash; the test proves nothing")
			}
			if via == "scheduler" {
				e.cfg.CRLCheckInterval = 20 * time.Millisecond
			}
			e.reopen() // the in-memory schedule is lost
			e.clk.Advance(time.Minute)
			if via == "endpoint" {
				if !crlHas(e.fetchCRL(ca), leaf.SerialNumber) {
					t.Fatal("the CRL served after restart lacks the revocation")
				}
				return
			}
			deadline := time.Now().Add(5 * time.Second)
			for !crlHas(e.storedCRL(ca), leaf.SerialNumber) {
				if time.Now().After(deadline) {
					t.Fatal("the scheduler did not republish the CRL after restart")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// TestRevokedByRecorded: each revocation keeps the principal that made it.
func TestRevokedByRecorded(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	ca := e.revRoot(crlOn(nil))
	arn, _ := e.leaf(ca, "who.example.com")
	caller := rootCaller(acct)
	if _, err := e.svc.RevokeCertificate(bg, caller, &RevokeCertificateInput{CertificateAuthorityArn: ca,
		CertificateSerial: serialOf(arn), RevocationReason: "SUPERSEDED"}); err != nil {
		t.Fatal(err)
	}
	by, err := e.svc.revokedBy(bg, caIDOf(ca), serialOf(arn))
	if err != nil || by != caller.ARN {
		t.Fatalf("revoked_by %q (%v), want %q", by, err, caller.ARN)
	}
}
