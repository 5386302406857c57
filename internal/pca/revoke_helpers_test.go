package pca

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/pki"
)

func boolp(b bool) *bool    { return &b }
func int32p(n int32) *int32 { return &n }

// crlOn and ocspOn are revocation configurations of the tests.
func crlOn(mod func(*CrlConfiguration)) *RevocationConfiguration {
	c := &CrlConfiguration{Enabled: boolp(true), ExpirationInDays: int32p(7)}
	if mod != nil {
		mod(c)
	}
	return &RevocationConfiguration{CrlConfiguration: c}
}

func bothOn() *RevocationConfiguration {
	rc := crlOn(nil)
	rc.OcspConfiguration = &OcspConfiguration{Enabled: boolp(true)}
	return rc
}

// revRoot creates an active P-256 root CA with rc.
func (e *env) revRoot(rc *RevocationConfiguration) string {
	e.t.Helper()
	out, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "Revocation Root"), CertificateAuthorityType: "ROOT",
		RevocationConfiguration: rc})
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	arn := out.CertificateAuthorityArn
	years := int64(10)
	certARN, err := e.issue(arn, e.csr(arn), pki.ECPrime256v1, tmplARN("RootCACertificate"), &Validity{Value: &years, Type: "YEARS"})
	if err != nil {
		e.t.Fatalf("issue root: %v", err)
	}
	e.importCert(arn, []byte(e.get(arn, certARN).Certificate), nil)
	return arn
}

// leaf issues an end-entity certificate and returns its ARN and parsed form.
func (e *env) leaf(caARN, cn string) (string, *x509.Certificate) {
	e.t.Helper()
	arn, err := e.issue(caARN, leafCSR(e.t, cn), pki.ECPrime256v1, "", days(30))
	if err != nil {
		e.t.Fatalf("issue leaf: %v", err)
	}
	return arn, parseOnePEM(e.t, e.get(caARN, arn).Certificate)
}

func parseOnePEM(t testing.TB, s string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatal("no PEM block")
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func serialOf(certARN string) string { return certARN[strings.LastIndex(certARN, "/")+1:] }

func (e *env) revoke(caARN, serial, reason string) error {
	_, err := e.svc.RevokeCertificate(bg, rootCaller(acct), &RevokeCertificateInput{CertificateAuthorityArn: caARN,
		CertificateSerial: serial, RevocationReason: reason})
	return err
}

func (e *env) caCertOf(arn string) *x509.Certificate {
	e.t.Helper()
	out, err := e.svc.GetCertificateAuthorityCertificate(bg, rootCaller(acct), &GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: arn})
	if err != nil {
		e.t.Fatal(err)
	}
	return parseOnePEM(e.t, out.Certificate)
}

func caIDOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// colons formats hex as openssl prints serials: "0A:1B:…".
func colons(h string) string {
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, strings.ToUpper(h[i:i+2]))
	}
	return strings.Join(parts, ":")
}

func bigHex(h string) *big.Int {
	n, _ := new(big.Int).SetString(h, 16)
	return n
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
