package pca

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"

	"github.com/openpca/openpca/internal/pki"
)

func TestIssueBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	sub := e.activeSub(root, pki.ECPrime256v1, "SubordinateCACertificate_PathLen0", 5)

	good := leafCSR(t, "ok.example.com")
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "x"}}, testLeafKey())
	if err != nil {
		t.Fatal(err)
	}
	broken := append([]byte(nil), csrDER...)
	broken[len(broken)-3] ^= 0xff
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "ed"}}, edKey)
	if err != nil {
		t.Fatal(err)
	}
	past := int64(200101000000) // END_DATE 2020-01-01
	v := func(n int64, typ string) *Validity { return &Validity{Value: &n, Type: typ} }

	cases := []struct {
		name string
		in   IssueCertificateInput
		want error
	}{
		{"garbage CSR", IssueCertificateInput{Csr: []byte("hello, not a CSR")}, ErrMalformedCSR},
		{"broken CSR signature", IssueCertificateInput{Csr: pki.EncodeCSRPEM(broken)}, ErrMalformedCSR},
		{"unsupported key", IssueCertificateInput{Csr: pki.EncodeCSRPEM(edDER)}, ErrMalformedCSR},
		{"algorithm family mismatch", IssueCertificateInput{SigningAlgorithm: "SHA256WITHRSA"}, ErrInvalidArgs},
		{"validity beyond the CA", IssueCertificateInput{Validity: v(30, "YEARS")}, ErrInvalidArgs},
		{"END_DATE in the past", IssueCertificateInput{Validity: v(past, "END_DATE")}, ErrInvalidArgs},
		{"ValidityNotBefore not ABSOLUTE", IssueCertificateInput{ValidityNotBefore: v(1, "DAYS")}, ErrInvalidArgs},
		{"path length beyond the issuer", IssueCertificateInput{CertificateAuthorityArn: sub, TemplateArn: tmplARN("SubordinateCACertificate_PathLen0"), Validity: v(1, "YEARS")}, ErrInvalidArgs},
		{"CA certificate as long as its issuer", IssueCertificateInput{TemplateArn: tmplARN("SubordinateCACertificate_PathLen0"), Validity: v(10, "YEARS")}, ErrInvalidArgs},
		{"unknown template", IssueCertificateInput{TemplateArn: tmplARN("NoSuchTemplate")}, ErrInvalidArgs},
		{"two GeneralName choices", IssueCertificateInput{TemplateArn: tmplARN("EndEntityCertificate_APIPassthrough"),
			ApiPassthrough: &pki.APIPassthrough{Extensions: &pki.Extensions{SubjectAlternativeNames: []pki.GeneralName{{DnsName: "a.example.com", IpAddress: "10.0.0.1"}}}}}, ErrInvalidArgs},
		{"root template for a foreign key", IssueCertificateInput{TemplateArn: tmplARN("RootCACertificate")}, ErrInvalidRequest},
		{"root template on a subordinate", IssueCertificateInput{CertificateAuthorityArn: sub, TemplateArn: tmplARN("RootCACertificate")}, ErrInvalidRequest},
		{"malformed CA ARN", IssueCertificateInput{CertificateAuthorityArn: "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/nope"}, ErrInvalidArn},
		{"other region", IssueCertificateInput{CertificateAuthorityArn: "arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/0b1f0000-0000-4000-8000-000000000000"}, ErrNotFound},
		{"partition not the region's", IssueCertificateInput{CertificateAuthorityArn: "arn:aws:acm-pca:us-gov-east-1:111122223333:certificate-authority/0b1f0000-0000-4000-8000-000000000000"}, ErrInvalidArn},
		{"unknown region", IssueCertificateInput{CertificateAuthorityArn: "arn:aws:acm-pca:us-east-9:111122223333:certificate-authority/0b1f0000-0000-4000-8000-000000000000"}, ErrInvalidArn},
		{"unknown CA", IssueCertificateInput{CertificateAuthorityArn: "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/0b1f0000-0000-4000-8000-000000000000"}, ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.CertificateAuthorityArn == "" {
				in.CertificateAuthorityArn = root
			}
			if in.Csr == nil {
				in.Csr = good
			}
			if in.SigningAlgorithm == "" {
				in.SigningAlgorithm = "SHA256WITHECDSA"
			}
			if in.Validity == nil {
				in.Validity = days(30)
			}
			beforeRoot, beforeSub := e.certCount(root), e.certCount(sub)
			_, err := e.svc.IssueCertificate(bg, rootCaller(acct), &in)
			wantKind(t, err, tc.want)
			if e.certCount(root) != beforeRoot || e.certCount(sub) != beforeSub {
				t.Fatal("a refused issuance stored a certificate")
			}
		})
	}
}

func TestImportBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	rootCert, err := e.svc.GetCertificateAuthorityCertificate(bg, rootCaller(acct), &GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: root})
	if err != nil {
		t.Fatal(err)
	}
	otherRoot := e.create("ROOT", pki.ECPrime256v1, "Other")
	sub := e.create("SUBORDINATE", pki.ECPrime256v1, "Sub")
	five := int64(5)
	subCertARN, err := e.issue(root, e.csr(sub), pki.ECPrime256v1, tmplARN("SubordinateCACertificate_PathLen0"), &Validity{Value: &five, Type: "YEARS"})
	if err != nil {
		t.Fatal(err)
	}
	subCert := e.get(root, subCertARN)

	cases := []struct {
		name string
		in   ImportCertificateAuthorityCertificateInput
		want error
	}{
		{"certificate for another key", ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: otherRoot, Certificate: []byte(rootCert.Certificate)}, ErrCertificateMismatch},
		{"not PEM", ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: otherRoot, Certificate: []byte("garbage")}, ErrMalformedCertificate},
		{"subordinate without chain", ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: sub, Certificate: []byte(subCert.Certificate)}, ErrInvalidRequest},
		{"subordinate with a foreign chain", ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: sub, Certificate: []byte(subCert.Certificate), CertificateChain: []byte(subCert.Certificate)}, ErrCertificateMismatch},
		{"subordinate with a self-signed certificate", ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: sub, Certificate: []byte(rootCert.Certificate), CertificateChain: []byte(rootCert.Certificate)}, ErrCertificateMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.ImportCertificateAuthorityCertificate(bg, rootCaller(acct), &tc.in)
			if err == nil {
				t.Fatal("import accepted")
			}
			wantKind(t, err, tc.want)
			if st := e.status(tc.in.CertificateAuthorityArn); st != statusPending {
				t.Fatalf("status changed to %s", st)
			}
		})
	}
	// The right chain is accepted.
	e.importCert(sub, []byte(subCert.Certificate), []byte(subCert.CertificateChain))
	if st := e.status(sub); st != statusActive {
		t.Fatalf("sub status %s", st)
	}
}
