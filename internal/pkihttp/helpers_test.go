package pkihttp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store/storetest"
)

const (
	acct    = "111122223333"
	akid    = "AKIAPKIHTTPTEST00001"
	secret  = "pkihttp-secret-0123456789abcdefghijklmn"
	akidB   = "AKIAPKIHTTPTEST00002"
	secretB = "pkihttp-secret-b123456789abcdefghijklmn"
)

var bg = context.Background()

type noIdentities struct{}

func (noIdentities) IdentityPolicies(context.Context, *authz.Principal) ([]authz.Policy, error) {
	return nil, nil
}

type memCreds map[string]*awsapi.Credential

func (m memCreds) LookupCredential(_ context.Context, id string) (*awsapi.Credential, error) {
	return m[id], nil
}

func rootPrincipal(account string) authz.Principal {
	arn := "arn:aws:iam::" + account + ":root"
	return authz.Principal{Type: authz.TypeAccount, AccountID: account, ARN: arn, PrincipalARN: arn, UserID: account}
}

func root(account string) *authz.Caller { return &authz.Caller{Principal: rootPrincipal(account)} }

// world is a pca service behind the handler on an httptest server whose
// URL is the service's PublicBaseURL.
type world struct {
	t   *testing.T
	svc *pca.Service
	srv *httptest.Server
	dir string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir()}
	var h http.Handler
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { h.ServeHTTP(rw, r) }))
	t.Cleanup(w.srv.Close)
	db, err := storetest.OpenDir(bg, t, w.dir)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keystore.NewMasterKey(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Real{}
	w.svc = pca.New(db, keystore.NewSoftware(mk, 0), authz.New(noIdentities{}, nil, clk), clk,
		pca.Config{PublicBaseURL: w.srv.URL, AuditDir: w.dir + "/buckets"})
	t.Cleanup(func() { w.svc.Close(); db.Close() })
	creds := memCreds{
		akid:  {SecretAccessKey: secret, Principal: rootPrincipal(acct)},
		akidB: {SecretAccessKey: secretB, Principal: rootPrincipal("444455556666")},
	}
	h = New(Config{PCA: w.svc, Credentials: creds}, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(http.StatusTeapot) // "the API"
	}))
	return w
}

func boolp(b bool) *bool { return &b }

// waitCSR returns the CA's CSR once its key exists: the key is generated
// off the request path, so retry as the SDK waiter does.
func (w *world) waitCSR(c *authz.Caller, arn string) *pca.GetCertificateAuthorityCsrOutput {
	w.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		csr, err := w.svc.GetCertificateAuthorityCsr(bg, c, &pca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn})
		if err == nil {
			return csr
		}
		if !errors.Is(err, pca.ErrRequestInProgress) || time.Now().After(deadline) {
			w.t.Fatal(err)
		}
	}
}

// activeRoot creates a P-256 root with CRL and OCSP enabled.
func (w *world) activeRoot() (arn string, cert *x509.Certificate) {
	w.t.Helper()
	seven := int32(7)
	out, err := w.svc.CreateCertificateAuthority(bg, root(acct), &pca.CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: &pca.CertificateAuthorityConfiguration{KeyAlgorithm: "EC_prime256v1",
			SigningAlgorithm: "SHA256WITHECDSA", Subject: &pca.ASN1Subject{Organization: "Example", CommonName: "HTTP Root"}},
		CertificateAuthorityType: "ROOT",
		RevocationConfiguration: &pca.RevocationConfiguration{
			CrlConfiguration:  &pca.CrlConfiguration{Enabled: boolp(true), ExpirationInDays: &seven},
			OcspConfiguration: &pca.OcspConfiguration{Enabled: boolp(true)}}})
	if err != nil {
		w.t.Fatal(err)
	}
	arn = out.CertificateAuthorityArn
	csr := w.waitCSR(root(acct), arn)
	years := int64(5)
	iss, err := w.svc.IssueCertificate(bg, root(acct), &pca.IssueCertificateInput{CertificateAuthorityArn: arn, Csr: []byte(csr.Csr),
		SigningAlgorithm: "SHA256WITHECDSA", TemplateArn: "arn:aws:acm-pca:::template/RootCACertificate/V1",
		Validity: &pca.Validity{Value: &years, Type: "YEARS"}})
	if err != nil {
		w.t.Fatal(err)
	}
	got, err := w.svc.GetCertificate(bg, root(acct), &pca.GetCertificateInput{CertificateAuthorityArn: arn, CertificateArn: iss.CertificateArn})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.ImportCertificateAuthorityCertificate(bg, root(acct), &pca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: arn, Certificate: []byte(got.Certificate)}); err != nil {
		w.t.Fatal(err)
	}
	return arn, parse(w.t, got.Certificate)
}

var leafKey = func() crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}()

func (w *world) leaf(caARN, cn string) (arn string, cert *x509.Certificate) {
	w.t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}}, leafKey)
	if err != nil {
		w.t.Fatal(err)
	}
	days := int64(30)
	out, err := w.svc.IssueCertificate(bg, root(acct), &pca.IssueCertificateInput{CertificateAuthorityArn: caARN,
		Csr: pki.EncodeCSRPEM(der), SigningAlgorithm: "SHA256WITHECDSA", Validity: &pca.Validity{Value: &days, Type: "DAYS"}})
	if err != nil {
		w.t.Fatal(err)
	}
	got, err := w.svc.GetCertificate(bg, root(acct), &pca.GetCertificateInput{CertificateAuthorityArn: caARN, CertificateArn: out.CertificateArn})
	if err != nil {
		w.t.Fatal(err)
	}
	return out.CertificateArn, parse(w.t, got.Certificate)
}

func (w *world) revoke(caARN string, cert *x509.Certificate, reason string) {
	w.t.Helper()
	if _, err := w.svc.RevokeCertificate(bg, root(acct), &pca.RevokeCertificateInput{CertificateAuthorityArn: caARN,
		CertificateSerial: pki.SerialHex(cert.SerialNumber), RevocationReason: reason}); err != nil {
		w.t.Fatal(err)
	}
}

func parse(t testing.TB, s string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatal("no PEM")
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pemOf(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func caID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func parseDER(t testing.TB, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
