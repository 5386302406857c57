package pca

import (
	"bytes"
	"crypto/x509"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const base = "http://pki.example.test:8080"

// TestCDPAndAIA checks the URLs issued certificates carry for each
// revocation configuration.
func TestCDPAndAIA(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		rc       *RevocationConfiguration
		wantCDP  string // "%s" is the CA id
		wantOCSP string
	}{
		{name: "nothing enabled", base: base},
		{name: "CRL", base: base, rc: crlOn(nil), wantCDP: base + "/crl/%s.crl"},
		{name: "CRL custom CNAME", base: base, rc: crlOn(func(c *CrlConfiguration) { c.CustomCname = "crl.example.com" }), wantCDP: "http://crl.example.com/crl/%s.crl"},
		{name: "CRL custom path", base: base, rc: crlOn(func(c *CrlConfiguration) { c.CustomPath = "/pki/crls/" }), wantCDP: base + "/pki/crls/%s.crl"},
		{name: "CRL omitted", base: base, rc: crlOn(func(c *CrlConfiguration) {
			c.CrlDistributionPointExtensionConfiguration = &CrlDistributionPointExtensionConfiguration{OmitExtension: boolp(true)}
		})},
		{name: "CRL without public URL", rc: crlOn(nil)},
		{name: "OCSP", base: base, rc: bothOn(), wantCDP: base + "/crl/%s.crl", wantOCSP: base + "/ocsp"},
		{name: "OCSP custom CNAME", base: base, rc: &RevocationConfiguration{OcspConfiguration: &OcspConfiguration{Enabled: boolp(true), OcspCustomCname: "ocsp.example.com"}}, wantOCSP: "http://ocsp.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Config{PublicBaseURL: tc.base})
			ca := e.revRoot(tc.rc)
			_, leaf := e.leaf(ca, "a.example.com")
			var want []string
			if tc.wantCDP != "" {
				want = []string{sprintf(tc.wantCDP, caIDOf(ca))}
			}
			if !slices.Equal(leaf.CRLDistributionPoints, want) {
				t.Errorf("CDP %v, want %v", leaf.CRLDistributionPoints, want)
			}
			want = nil
			if tc.wantOCSP != "" {
				want = []string{tc.wantOCSP}
			}
			if !slices.Equal(leaf.OCSPServer, want) {
				t.Errorf("OCSP %v, want %v", leaf.OCSPServer, want)
			}
			if root := e.caCertOf(ca); len(root.CRLDistributionPoints)+len(root.OCSPServer) != 0 {
				t.Error("the root's self-signed certificate carries CDP/AIA")
			}
		})
	}
}

// TestEnableCRLLater: certificates issued before CRLs were enabled keep
// having no CDP; those issued after carry it.
func TestEnableCRLLater(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	ca := e.revRoot(nil)
	beforeARN, before := e.leaf(ca, "before.example.com")
	if len(before.CRLDistributionPoints) != 0 {
		t.Fatal("CDP with CRLs disabled")
	}
	if _, err := e.svc.UpdateCertificateAuthority(bg, rootCaller(acct), &UpdateCertificateAuthorityInput{CertificateAuthorityArn: ca, RevocationConfiguration: crlOn(nil)}); err != nil {
		t.Fatal(err)
	}
	_, after := e.leaf(ca, "after.example.com")
	if want := []string{base + "/crl/" + caIDOf(ca) + ".crl"}; !slices.Equal(after.CRLDistributionPoints, want) {
		t.Errorf("CDP after enabling %v, want %v", after.CRLDistributionPoints, want)
	}
	if again := parseOnePEM(t, e.get(ca, beforeARN).Certificate); len(again.CRLDistributionPoints) != 0 {
		t.Error("the earlier certificate changed")
	}
}

func (e *env) fetchCRL(ca string) *x509.RevocationList {
	e.t.Helper()
	der, err := e.svc.CRL(bg, caIDOf(ca), "/crl/"+caIDOf(ca)+".crl")
	if err != nil {
		e.t.Fatalf("CRL: %v", err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(e.caCertOf(ca)); err != nil {
		e.t.Fatalf("CRL signature: %v", err)
	}
	return crl
}

func TestCRLContent(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, Config{PublicBaseURL: base, CRLDir: dir, CRLCheckInterval: time.Hour})
	ca := e.revRoot(crlOn(func(c *CrlConfiguration) { c.ExpirationInDays = int32p(2) }))
	first := e.fetchCRL(ca)
	if len(first.RevokedCertificateEntries) != 0 || first.Number.Int64() != 1 {
		t.Fatalf("fresh CRL: %d entries, number %v", len(first.RevokedCertificateEntries), first.Number)
	}
	if !first.NextUpdate.Equal(first.ThisUpdate.AddDate(0, 0, 2)) {
		t.Errorf("nextUpdate %v, thisUpdate %v", first.NextUpdate, first.ThisUpdate)
	}
	a, _ := e.leaf(ca, "a.example.com")
	b, _ := e.leaf(ca, "b.example.com")
	e.leaf(ca, "c.example.com")
	if err := e.revoke(ca, serialOf(a), "KEY_COMPROMISE"); err != nil {
		t.Fatal(err)
	}
	if err := e.revoke(ca, colons(serialOf(b)), "CESSATION_OF_OPERATION"); err != nil {
		t.Fatal(err)
	}
	crl := e.fetchCRL(ca) // revocations pending: regenerated on demand
	if crl.Number.Int64() <= 1 {
		t.Errorf("CRL number did not grow: %v", crl.Number)
	}
	got := map[string]int{}
	for _, en := range crl.RevokedCertificateEntries {
		got[en.SerialNumber.Text(16)] = en.ReasonCode
	}
	want := map[string]int{bigHex(serialOf(a)).Text(16): 1, bigHex(serialOf(b)).Text(16): 5}
	if len(got) != 2 || got[bigHex(serialOf(a)).Text(16)] != 1 || got[bigHex(serialOf(b)).Text(16)] != 5 {
		t.Errorf("entries %v, want %v", got, want)
	}
	file, err := os.ReadFile(filepath.Join(dir, acct, "crl", caIDOf(ca)+".crl"))
	if err != nil {
		t.Fatal(err)
	}
	if fc, err := x509.ParseRevocationList(file); err != nil || fc.Number.Cmp(crl.Number) != 0 {
		t.Errorf("CRL file: %v, number %v", err, fc)
	}

	// The schedule republishes after half the validity; a revoked
	// certificate stays listed until one CRL after it expires.
	e.clk.Advance(25 * time.Hour)
	e.svc.publishDue(bg)
	if again := e.fetchCRL(ca); again.Number.Cmp(crl.Number) <= 0 || len(again.RevokedCertificateEntries) != 2 {
		t.Errorf("after the schedule: number %v, %d entries", again.Number, len(again.RevokedCertificateEntries))
	}
	e.clk.Advance(31 * 24 * time.Hour) // the leaves expired
	e.svc.publishDue(bg)
	if n := len(e.fetchCRL(ca).RevokedCertificateEntries); n != 2 {
		t.Errorf("first CRL after expiry lists %d entries, want 2", n)
	}
	e.clk.Advance(25 * time.Hour)
	e.svc.publishDue(bg)
	if n := len(e.fetchCRL(ca).RevokedCertificateEntries); n != 0 {
		t.Errorf("second CRL after expiry lists %d entries, want 0", n)
	}
}

// TestCRLDebounced: without anyone fetching, the publisher regenerates the
// CRL within a second of a revocation.
func TestCRLDebounced(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base, CRLDebounce: 20 * time.Millisecond, CRLCheckInterval: time.Hour})
	ca := e.revRoot(crlOn(nil))
	e.fetchCRL(ca)
	a, _ := e.leaf(ca, "a.example.com")
	if err := e.revoke(ca, serialOf(a), "SUPERSEDED"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		rec, err := e.svc.getCRL(bg, caIDOf(ca))
		if err != nil {
			t.Fatal(err)
		}
		if rec.Number == 2 {
			crl, err := x509.ParseRevocationList(rec.DER)
			if err != nil || len(crl.RevokedCertificateEntries) != 1 {
				t.Fatalf("debounced CRL: %v %v", err, crl)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the CRL was not regenerated within a second")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCRLPartitionedAndPaths(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base})
	ca := e.revRoot(crlOn(func(c *CrlConfiguration) { c.CrlType = "PARTITIONED"; c.CustomPath = "pki" }))
	id := caIDOf(ca)
	tests := []struct {
		name, id, path string
		ok             bool
	}{
		{"custom path", id, "/pki/" + id + ".crl", true},
		{"default path not served", id, "/crl/" + id + ".crl", false},
		{"unknown CA", "00000000-0000-4000-8000-000000000000", "/pki/00000000-0000-4000-8000-000000000000.crl", false},
		{"not a UUID", "../x", "/pki/../x.crl", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der, err := e.svc.CRL(bg, tc.id, tc.path)
			if !tc.ok {
				wantKind(t, err, ErrNotFound)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			crl, err := x509.ParseRevocationList(der)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, ext := range crl.Extensions {
				if ext.Id.String() == "2.5.29.28" && ext.Critical {
					found = true
				}
			}
			if !found {
				t.Error("partitioned CRL without a critical IDP")
			}
		})
	}
	// CRLs disabled: nothing is served.
	e2 := newEnv(t, Config{PublicBaseURL: base})
	off := e2.revRoot(nil)
	_, err := e2.svc.CRL(bg, caIDOf(off), "/crl/"+caIDOf(off)+".crl")
	wantKind(t, err, ErrNotFound)
}

// TestCRLDirWriteFailure: when the CRL directory cannot be written, the
// stored CRL is still served and the failure is logged; the CA does not
// stay dirty, so later GETs do not sign new CRLs.
func TestCRLDirWriteFailure(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	e := newEnv(t, Config{PublicBaseURL: base, CRLDir: notDir, CRLCheckInterval: time.Hour, CRLDebounce: time.Hour,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ca := e.revRoot(crlOn(nil))
	a, _ := e.leaf(ca, "a.example.com")
	if err := e.revoke(ca, serialOf(a), "KEY_COMPROMISE"); err != nil {
		t.Fatal(err)
	}
	first := e.fetchCRL(ca)
	if len(first.RevokedCertificateEntries) != 1 {
		t.Errorf("%d entries, want 1", len(first.RevokedCertificateEntries))
	}
	if !strings.Contains(logs.String(), "writing the CRL file failed") {
		t.Errorf("no warning logged: %q", logs.String())
	}
	for i := range 3 {
		if again := e.fetchCRL(ca); again.Number.Cmp(first.Number) != 0 {
			t.Fatalf("GET %d signed a new CRL: number %v, want %v", i, again.Number, first.Number)
		}
	}
}

// TestCRLConcurrentGetsSignOnce: GETs that queued behind one CRL
// generation serve its result instead of each signing another.
func TestCRLConcurrentGetsSignOnce(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base, CRLCheckInterval: time.Hour, CRLDebounce: time.Hour})
	ca := e.revRoot(crlOn(nil))
	e.fetchCRL(ca)
	a, _ := e.leaf(ca, "a.example.com")
	if err := e.revoke(ca, serialOf(a), "KEY_COMPROMISE"); err != nil {
		t.Fatal(err)
	}
	e.svc.rev.genMu.Lock() // hold generation while the GETs pile up
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := e.svc.CRL(bg, caIDOf(ca), "/crl/"+caIDOf(ca)+".crl"); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	e.svc.rev.genMu.Unlock()
	wg.Wait()
	rec, err := e.svc.getCRL(bg, caIDOf(ca))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Number != 2 {
		t.Errorf("CRL number %d after concurrent GETs, want 2 (one signing)", rec.Number)
	}
}
