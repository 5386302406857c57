package pca

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/pki"
)

// revRootAs is revRoot for a CA owned by account.
func (e *env) revRootAs(account string, rc *RevocationConfiguration) string {
	e.t.Helper()
	c := rootCaller(account)
	out, err := e.svc.CreateCertificateAuthority(bg, c, &CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "Root of "+account), CertificateAuthorityType: "ROOT",
		RevocationConfiguration: rc})
	if err != nil {
		e.t.Fatal(err)
	}
	arn := out.CertificateAuthorityArn
	e.waitCreated(c, arn)
	csr, err := e.svc.GetCertificateAuthorityCsr(bg, c, &GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn})
	if err != nil {
		e.t.Fatal(err)
	}
	years := int64(5)
	iss, err := e.svc.IssueCertificate(bg, c, &IssueCertificateInput{CertificateAuthorityArn: arn, Csr: []byte(csr.Csr),
		SigningAlgorithm: string(pki.SHA256WithECDSA), TemplateArn: tmplARN("RootCACertificate"), Validity: &Validity{Value: &years, Type: "YEARS"}})
	if err != nil {
		e.t.Fatal(err)
	}
	got, err := e.svc.GetCertificate(bg, c, &GetCertificateInput{CertificateAuthorityArn: arn, CertificateArn: iss.CertificateArn})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.ImportCertificateAuthorityCertificate(bg, c, &ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: arn, Certificate: []byte(got.Certificate)}); err != nil {
		e.t.Fatal(err)
	}
	return arn
}

// TestCRLDirNamespacedByAccount: an account whose CustomPath names another
// CA's CRL file (crl/<victim-id>.crl) cannot occupy that file in the CRL
// directory: each account writes under its own directory, and both CRLs
// are written and served.
func TestCRLDirNamespacedByAccount(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, Config{PublicBaseURL: base, CRLDir: dir, CRLCheckInterval: time.Hour})
	const other = "444455556666"
	victim := e.revRoot(crlOn(nil))
	attacker := e.revRootAs(other, crlOn(func(c *CrlConfiguration) { c.CustomPath = "crl/" + caIDOf(victim) + ".crl" }))
	attackPath := "/crl/" + caIDOf(victim) + ".crl/" + caIDOf(attacker) + ".crl"
	if _, err := e.svc.CRL(bg, caIDOf(attacker), attackPath); err != nil {
		t.Fatal(err)
	}
	want := e.fetchCRL(victim)
	file, err := os.ReadFile(filepath.Join(dir, acct, "crl", caIDOf(victim)+".crl"))
	if err != nil {
		t.Fatalf("the victim's CRL file was not written: %v", err)
	}
	if got, err := x509.ParseRevocationList(file); err != nil || got.Number.Cmp(want.Number) != 0 {
		t.Fatalf("victim CRL file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, other, filepath.FromSlash(attackPath))); err != nil {
		t.Fatalf("the attacker's CRL is not in its own directory: %v", err)
	}
}
