package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"
)

// testNow is the fixed issuance time of these tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var (
	keyMu    sync.Mutex
	keyCache = map[string]crypto.Signer{}
)

// testKey returns the i-th cached key of alg (RSA generation is slow).
func testKey(t testing.TB, alg KeyAlgorithm, i int) crypto.Signer {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	name := fmt.Sprintf("%s/%d", alg, i)
	if k, ok := keyCache[name]; ok {
		return k
	}
	k, err := GenerateKey(alg)
	if err != nil {
		t.Fatalf("GenerateKey(%s): %v", alg, err)
	}
	keyCache[name] = k
	return k
}

// makeCSR signs a CSR for key from tmpl and returns its PEM.
func makeCSR(t testing.TB, key crypto.Signer, tmpl *x509.CertificateRequest) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatalf("CreateCertificateRequest: %v", err)
	}
	return EncodeCSRPEM(der)
}

func simpleCSR(t testing.TB, key crypto.Signer, cn string, dns ...string) []byte {
	return makeCSR(t, key, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: dns})
}

type testCA struct {
	cert   *x509.Certificate
	signer crypto.Signer
}

func sigFor(alg KeyAlgorithm) SigningAlgorithm {
	if alg[:2] == "EC" {
		return SHA256WithECDSA
	}
	return SHA256WithRSA
}

// newRoot creates a self-signed root with CreateCACSR + Issue(RootCACertificate/V1).
func newRoot(t testing.TB, alg KeyAlgorithm, keyIndex int, v Validity) *testCA {
	t.Helper()
	key := testKey(t, alg, keyIndex)
	csr, err := CreateCACSR(key, ASN1Subject{Country: "US", Organization: "Example Corp", CommonName: fmt.Sprintf("Root %s %d", alg, keyIndex)}, nil, sigFor(alg))
	if err != nil {
		t.Fatalf("CreateCACSR: %v", err)
	}
	der, err := Issue(&IssueRequest{CSR: csr, IssuerSigner: key, SigningAlgorithm: sigFor(alg), TemplateARN: templateARNPrefix + "RootCACertificate/V1", Validity: v, Now: testNow})
	if err != nil {
		t.Fatalf("Issue root: %v", err)
	}
	return &testCA{cert: mustParse(t, der), signer: key}
}

// newSub issues a subordinate CA certificate from parent.
func newSub(t testing.TB, parent *testCA, alg KeyAlgorithm, keyIndex int, template string, v Validity) *testCA {
	t.Helper()
	key := testKey(t, alg, keyIndex)
	csr, err := CreateCACSR(key, ASN1Subject{Organization: "Example Corp", CommonName: fmt.Sprintf("Sub %s %d", alg, keyIndex)}, nil, sigFor(alg))
	if err != nil {
		t.Fatalf("CreateCACSR: %v", err)
	}
	der, err := Issue(&IssueRequest{CSR: csr, Issuer: parent.cert, IssuerSigner: parent.signer, SigningAlgorithm: sigFor(mustAlg(t, parent.signer)), TemplateARN: templateARNPrefix + template + "/V1", Validity: v, Now: testNow})
	if err != nil {
		t.Fatalf("Issue sub: %v", err)
	}
	return &testCA{cert: mustParse(t, der), signer: key}
}

func mustAlg(t testing.TB, s crypto.Signer) KeyAlgorithm {
	a, err := KeyAlgorithmOf(s.Public())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustParse(t testing.TB, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("ParseCertificate: %v", err)
	}
	return c
}

var lintRegistry = func() lint.Registry {
	r, err := lint.GlobalRegistry().Filter(lint.FilterOptions{IncludeSources: lint.SourceList{
		lint.RFC5280, lint.RFC5480, lint.RFC5891, lint.RFC3279, lint.RFC8813, lint.Community,
	}})
	if err != nil {
		panic(err)
	}
	return r
}()

// lintCert runs zlint's RFC and community lints (the CA/Browser Forum
// rules are for public TLS, not a private CA) and fails on error or fatal
// results; warnings are logged.
func lintCert(t testing.TB, der []byte, allow ...string) {
	t.Helper()
	c, err := zx509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("zcrypto parse: %v", err)
	}
	rs := zlint.LintCertificateEx(c, lintRegistry)
	for name, r := range rs.Results {
		switch r.Status {
		case lint.Error, lint.Fatal:
			if slices.Contains(allow, name) {
				t.Logf("lint %s (accepted deviation): %s", name, r.Details)
				continue
			}
			t.Errorf("lint %s: %s %s", name, r.Status, r.Details)
		case lint.Warn:
			t.Logf("lint warning %s %s", name, r.Details)
		}
	}
}

func wantKind(t testing.TB, err error, k Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %v error, got nil", k)
	}
	if got := KindOf(err); got != k {
		t.Fatalf("want %v error, got %v: %v", k, got, err)
	}
}
