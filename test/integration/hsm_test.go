//go:build pkcs11 && cgo

package integration

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"golang.org/x/crypto/ocsp"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/server"
)

// softHSMToken initializes a SoftHSM2 token in a temp dir (SOFTHSM2_CONF
// points there for the test); skips only when SoftHSM2 is not installed.
func softHSMToken(t testing.TB, label string) keystore.PKCS11Config {
	t.Helper()
	module := os.Getenv("SOFTHSM2_MODULE")
	if module == "" {
		module = "/usr/lib/softhsm/libsofthsm2.so"
	}
	if _, err := os.Stat(module); err != nil {
		t.Skipf("SoftHSM2 not installed (%v): apt-get install softhsm2", err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	os.MkdirAll(filepath.Join(dir, "tokens"), 0o700)
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", "1234", "--so-pin", "5678").CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v: %s", err, out)
	}
	return keystore.PKCS11Config{Module: module, Token: label, PIN: "1234"}
}

// newHSMRig is newRig with CA keys in the token (hsm.Module "" for none).
func newHSMRig(t testing.TB, dataDir string, hsm keystore.PKCS11Config) *rig {
	t.Helper()
	app, err := server.Open(context.Background(), server.Config{DataDir: dataDir, Clock: clock.Real{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PKCS11: hsm})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	return startRig(t, dataDir, app, srv, nil)
}

// hsmRootCA creates an ECDSA root CA with CRLs and OCSP on and installs it.
func hsmRootCA(t testing.TB, c *acmpca.Client) (string, *x509.Certificate) {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("HSM Root")}},
		RevocationConfiguration: &pcatypes.RevocationConfiguration{
			CrlConfiguration:  &pcatypes.CrlConfiguration{Enabled: aws.Bool(true), ExpirationInDays: aws.Int32(7)},
			OcspConfiguration: &pcatypes.OcspConfiguration{Enabled: aws.Bool(true)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ca := *out.CertificateAuthorityArn
	var csr *acmpca.GetCertificateAuthorityCsrOutput
	for i := 0; ; i++ { // key generation may run off the request path
		if csr, err = c.GetCertificateAuthorityCsr(ctx, &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: &ca}); err == nil || i == 100 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	issued, err := c.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca,
		Csr: []byte(*csr.Csr), SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		TemplateArn: aws.String("arn:aws:acm-pca:::template/RootCACertificate/V1"),
		Validity:    &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeYears, Value: aws.Int64(5)}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: issued.CertificateArn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ImportCertificateAuthorityCertificate(ctx, &acmpca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: &ca, Certificate: []byte(*got.Certificate)}); err != nil {
		t.Fatal(err)
	}
	return ca, parsePEM(t, *got.Certificate)
}

func parsePEM(t testing.TB, s string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatalf("not PEM: %q", s)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// issueLeaf issues a leaf and returns it verified against root.
func issueLeaf(t testing.TB, c *acmpca.Client, ca string, root *x509.Certificate, csr []byte) *x509.Certificate {
	t.Helper()
	arn, err := issue(c, ca, "", csr)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetCertificate(context.Background(), &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	leaf := parsePEM(t, *got.Certificate)
	pool := x509.NewCertPool()
	pool.AddCert(root)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
		t.Fatalf("leaf does not verify against the HSM root: %v", err)
	}
	return leaf
}

func revokeLeaf(t testing.TB, c *acmpca.Client, ca string, leaf *x509.Certificate) {
	t.Helper()
	if _, err := c.RevokeCertificate(context.Background(), &acmpca.RevokeCertificateInput{CertificateAuthorityArn: &ca,
		CertificateSerial: aws.String(leaf.SerialNumber.Text(16)), RevocationReason: pcatypes.RevocationReasonKeyCompromise}); err != nil {
		t.Fatal(err)
	}
}

// checkRevoked fetches the CRL and an OCSP answer, both signed in the token.
func checkRevoked(t testing.TB, base, ca string, root, leaf *x509.Certificate) {
	t.Helper()
	listed := false
	for _, n := range crlSerials(t, base, ca, root) {
		listed = listed || n.Cmp(leaf.SerialNumber) == 0
	}
	if !listed {
		t.Fatalf("serial %x not in the CRL", leaf.SerialNumber)
	}
	q, err := ocsp.CreateRequest(leaf, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/ocsp", "application/ocsp-request", bytes.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	res, err := ocsp.ParseResponseForCert(body, leaf, root)
	if err != nil {
		t.Fatalf("OCSP: %v", err)
	}
	if res.Status != ocsp.Revoked {
		t.Fatalf("OCSP status %d, want revoked", res.Status)
	}
}

// TestHSMCertificateAuthority: a CA created on a SoftHSM2 token signs its
// certificate, leaves, a CRL and OCSP answers; after a restart it still
// does; the database holds only the key's handle, the private key is a
// sensitive, non-extractable object in the token, and without the token
// the CA cannot sign.
func TestHSMCertificateAuthority(t *testing.T) {
	hsm := softHSMToken(t, "openpca-it")
	dir := t.TempDir()
	r := newHSMRig(t, dir, hsm)
	c := r.pca(creds{key: mgmtKeyID, secret: mgmtSecret})
	ca, root := hsmRootCA(t, c)
	csr := leafCSR(t)
	leaf := issueLeaf(t, c, ca, root, csr)
	revokeLeaf(t, c, ca, leaf)
	checkRevoked(t, r.srv.URL, ca, root, leaf)

	var handle string
	var blob []byte
	if err := r.app.DB.QueryRow(`SELECT key_handle, key_blob FROM pca_cas WHERE arn = $1`, ca).Scan(&handle, &blob); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(handle, "pkcs11:token=openpca-it;id=") || len(blob) != 0 {
		t.Fatalf("stored key: handle %q, %d blob bytes; want a pkcs11 handle and no blob", handle, len(blob))
	}
	r.stop()

	// Restart on the same data dir and token.
	r = newHSMRig(t, dir, hsm)
	c = r.pca(creds{key: mgmtKeyID, secret: mgmtSecret})
	leaf2 := issueLeaf(t, c, ca, root, csr)
	revokeLeaf(t, c, ca, leaf2)
	checkRevoked(t, r.srv.URL, ca, root, leaf2)
	r.stop()

	// The token holds the key: sensitive, not extractable, the CA's public key.
	_, id, err := keystore.ParsePKCS11Handle(handle)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := crypto11.Configure(&crypto11.Config{Path: hsm.Module, TokenLabel: hsm.Token, Pin: hsm.PIN})
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := tok.FindKeyPairs(id, nil)
	if err != nil || len(pairs) != 1 {
		t.Fatalf("key pairs with the handle's id: %d %v", len(pairs), err)
	}
	if spki, err := x509.MarshalPKIXPublicKey(pairs[0].Public()); err != nil || !bytes.Equal(spki, root.RawSubjectPublicKeyInfo) {
		t.Fatalf("the token's key is not the CA's (%v)", err)
	}
	attrs, err := tok.GetAttributes(pairs[0], []crypto11.AttributeType{crypto11.CkaSensitive, crypto11.CkaExtractable})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(attrs[crypto11.CkaSensitive].Value, []byte{1}) || !bytes.Equal(attrs[crypto11.CkaExtractable].Value, []byte{0}) {
		t.Fatalf("CKA_SENSITIVE %v CKA_EXTRACTABLE %v", attrs[crypto11.CkaSensitive].Value, attrs[crypto11.CkaExtractable].Value)
	}
	tok.Close()

	// Without the token the database alone cannot sign.
	r = newHSMRig(t, dir, keystore.PKCS11Config{})
	if _, err := issue(r.pca(creds{key: mgmtKeyID, secret: mgmtSecret}), ca, "", csr); err == nil {
		t.Fatal("issued without the token")
	}
}

// BenchmarkIssueCertificateHSM compares IssueCertificate through the SDK
// (SigV4, authz, signing, durable group commit) with the CA key in
// SoftHSM2 and in the software store, parallel callers, P-256 CA.
func BenchmarkIssueCertificateHSM(b *testing.B) {
	for _, name := range []string{"software", "softhsm2"} {
		b.Run(name, func(b *testing.B) {
			var hsm keystore.PKCS11Config
			if name == "softhsm2" {
				hsm = softHSMToken(b, "openpca-bench")
			}
			r := newHSMRig(b, b.TempDir(), hsm)
			c := r.pca(creds{key: mgmtKeyID, secret: mgmtSecret})
			ca, _ := hsmRootCA(b, c)
			k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{"bench.example.com"}}, k)
			csr := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := issue(c, ca, "", csr); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
