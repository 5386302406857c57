package pkihttp

import (
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/openpca/openpca/internal/pca"
)

// TestCAOfAnotherPartition: CRLs and OCSP are served for a CA of any
// region, here one created in us-gov-west-1 (an arn:aws-us-gov: CA).
func TestCAOfAnotherPartition(t *testing.T) {
	w := newWorld(t)
	gov := root(acct)
	gov.Region = "us-gov-west-1"
	seven := int32(7)
	out, err := w.svc.CreateCertificateAuthority(bg, gov, &pca.CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: &pca.CertificateAuthorityConfiguration{KeyAlgorithm: "EC_prime256v1",
			SigningAlgorithm: "SHA256WITHECDSA", Subject: &pca.ASN1Subject{CommonName: "Gov Root"}},
		CertificateAuthorityType: "ROOT",
		RevocationConfiguration: &pca.RevocationConfiguration{
			CrlConfiguration:  &pca.CrlConfiguration{Enabled: boolp(true), ExpirationInDays: &seven},
			OcspConfiguration: &pca.OcspConfiguration{Enabled: boolp(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	ca := out.CertificateAuthorityArn
	if !strings.HasPrefix(ca, "arn:aws-us-gov:acm-pca:us-gov-west-1:") {
		t.Fatalf("CA ARN %s", ca)
	}
	csr := w.waitCSR(gov, ca)
	years := int64(5)
	iss, err := w.svc.IssueCertificate(bg, gov, &pca.IssueCertificateInput{CertificateAuthorityArn: ca, Csr: []byte(csr.Csr),
		SigningAlgorithm: "SHA256WITHECDSA", TemplateArn: "arn:aws-us-gov:acm-pca:::template/RootCACertificate/V1",
		Validity: &pca.Validity{Value: &years, Type: "YEARS"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.GetCertificate(bg, gov, &pca.GetCertificateInput{CertificateAuthorityArn: ca, CertificateArn: iss.CertificateArn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ImportCertificateAuthorityCertificate(bg, gov, &pca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: ca, Certificate: []byte(got.Certificate)}); err != nil {
		t.Fatal(err)
	}
	caCert := parse(t, got.Certificate)
	_, leaf := w.leaf(ca, "gov.example.com")
	w.revoke(ca, leaf, "KEY_COMPROMISE")

	resp, err := http.Post(w.srv.URL+"/ocsp", "application/ocsp-request", strings.NewReader(string(ocspReq(t, caCert.Raw, leaf.Raw))))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	o, err := ocsp.ParseResponse(body, caCert)
	if err != nil || o.Status != ocsp.Revoked {
		t.Fatalf("OCSP: %v %+v", err, o)
	}

	// The CRL is regenerated shortly after the revocation.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(w.srv.URL + "/crl/" + caID(ca) + ".crl")
		if err != nil {
			t.Fatal(err)
		}
		der, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			crl, err := x509.ParseRevocationList(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := crl.CheckSignatureFrom(caCert); err != nil {
				t.Fatal(err)
			}
			if len(crl.RevokedCertificateEntries) == 1 && crl.RevokedCertificateEntries[0].SerialNumber.Cmp(leaf.SerialNumber) == 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("CRL: HTTP %d, revoked serial not listed", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
