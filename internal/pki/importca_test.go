package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// craftCA signs a CA certificate with crypto/x509 directly, to build shapes
// our own templates refuse to make.
func craftCA(t *testing.T, parent *testCA, key crypto.Signer, cn string, mod func(*x509.Certificate)) *testCA {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.AddDate(2, 0, 0),
		BasicConstraintsValid: true, IsCA: true, MaxPathLen: -1,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	if mod != nil {
		mod(tmpl)
	}
	parentCert, parentKey := tmpl, key
	if parent != nil {
		parentCert, parentKey = parent.cert, parent.signer
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: mustParse(t, der), signer: key}
}

func TestVerifyCAImport(t *testing.T) {
	root := newRoot(t, ECPrime256v1, 0, Validity{Type: ValidityYears, Value: 10})
	sub := newSub(t, root, ECPrime256v1, 1, "SubordinateCACertificate_PathLen1", Validity{Type: ValidityYears, Value: 5})
	sub2 := newSub(t, sub, ECPrime256v1, 2, "SubordinateCACertificate_PathLen0", Validity{Type: ValidityYears, Value: 2})
	otherRoot := newRoot(t, ECPrime256v1, 3, Validity{Type: ValidityYears, Value: 10})
	k4 := testKey(t, ECPrime256v1, 4)
	pathLen0 := craftCA(t, root, testKey(t, ECPrime256v1, 5), "pathlen0", func(c *x509.Certificate) { c.MaxPathLen, c.MaxPathLenZero = 0, true })
	underPathLen0 := craftCA(t, pathLen0, k4, "under pathlen0", nil)
	nonCriticalBC := craftCA(t, root, k4, "bc not critical", func(c *x509.Certificate) {
		c.BasicConstraintsValid = false
		c.ExtraExtensions = []pkix.Extension{basicConstraintsExt(true, -1, false)}
	})
	criticalCDP := craftCA(t, root, k4, "critical cdp", func(c *x509.Certificate) {
		e := crlDistributionPointsExt([]string{"http://crl.example.com/x.crl"})
		e.Critical = true
		c.ExtraExtensions = []pkix.Extension{e}
	})
	notCA := craftCA(t, root, k4, "not a CA", func(c *x509.Certificate) { c.IsCA = false; c.KeyUsage = x509.KeyUsageDigitalSignature })
	expired := craftCA(t, root, k4, "expired", func(c *x509.Certificate) { c.NotAfter = testNow.Add(-time.Minute) })

	tests := []struct {
		name   string
		cert   *x509.Certificate
		chain  []*x509.Certificate
		pub    crypto.PublicKey
		isRoot bool
		want   Kind // Internal = accepted
	}{
		{"root self-signed", root.cert, nil, root.signer.Public(), true, Internal},
		{"subordinate with root", sub.cert, []*x509.Certificate{root.cert}, sub.signer.Public(), false, Internal},
		{"subordinate two levels", sub2.cert, []*x509.Certificate{sub.cert, root.cert}, sub2.signer.Public(), false, Internal},
		{"certificate for another key", sub.cert, []*x509.Certificate{root.cert}, k4.Public(), false, CertificateMismatch},
		{"root given a subordinate cert", sub.cert, nil, sub.signer.Public(), true, InvalidRequest},
		{"root given a chain", root.cert, []*x509.Certificate{root.cert}, root.signer.Public(), true, InvalidRequest},
		{"subordinate given a self-signed cert", root.cert, []*x509.Certificate{root.cert}, root.signer.Public(), false, InvalidRequest},
		{"subordinate without chain", sub.cert, nil, sub.signer.Public(), false, InvalidRequest},
		{"chain from another root", sub.cert, []*x509.Certificate{otherRoot.cert}, sub.signer.Public(), false, CertificateMismatch},
		{"chain in the wrong order", sub2.cert, []*x509.Certificate{root.cert, sub.cert}, sub2.signer.Public(), false, CertificateMismatch},
		{"chain not ending at a root", sub2.cert, []*x509.Certificate{sub.cert}, sub2.signer.Public(), false, CertificateMismatch},
		{"issuer path length 0", underPathLen0.cert, []*x509.Certificate{pathLen0.cert, root.cert}, k4.Public(), false, CertificateMismatch},
		{"basicConstraints not critical", nonCriticalBC.cert, []*x509.Certificate{root.cert}, k4.Public(), false, MalformedCertificate},
		{"critical CRL distribution points", criticalCDP.cert, []*x509.Certificate{root.cert}, k4.Public(), false, MalformedCertificate},
		{"not a CA certificate", notCA.cert, []*x509.Certificate{root.cert}, k4.Public(), false, MalformedCertificate},
		{"expired", expired.cert, []*x509.Certificate{root.cert}, k4.Public(), false, CertificateMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyCAImport(tc.cert, tc.chain, tc.pub, tc.isRoot, testNow)
			if tc.want == Internal {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantKind(t, err, tc.want)
			t.Log(err)
		})
	}
}

func TestParseCertificatePEM(t *testing.T) {
	root := newRoot(t, ECPrime256v1, 0, Validity{Type: ValidityYears, Value: 10})
	p := EncodeCertPEM(root.cert.Raw)
	if c, err := ParseCertificatePEM(p); err != nil || !c.Equal(root.cert) {
		t.Fatalf("ParseCertificatePEM: %v", err)
	}
	if cs, err := ParseChainPEM(append(append([]byte{}, p...), p...)); err != nil || len(cs) != 2 {
		t.Fatalf("ParseChainPEM: %d, %v", len(cs), err)
	}
	for name, data := range map[string][]byte{
		"empty":         nil,
		"garbage":       []byte("nope"),
		"two certs":     append(append([]byte{}, p...), p...),
		"CSR block":     EncodeCSRPEM(root.cert.Raw[:10]),
		"trailing junk": append(append([]byte{}, p...), "junk"...),
	} {
		_, err := ParseCertificatePEM(data)
		if KindOf(err) != MalformedCertificate {
			t.Errorf("%s: %v, want MalformedCertificate", name, err)
		}
	}
}

func opensslPath(t *testing.T) string {
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	return p
}

func runOpenSSL(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(opensslPath(t), args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOpenSSLInterop: our chains verify with openssl, and an openssl-made
// root signs our subordinate CSR, which VerifyCAImport accepts.
func TestOpenSSLInterop(t *testing.T) {
	opensslPath(t)
	dir := t.TempDir()
	for _, alg := range []KeyAlgorithm{RSA2048, ECSecp384r1} {
		t.Run("our chain "+string(alg), func(t *testing.T) {
			root := newRoot(t, alg, 0, Validity{Type: ValidityYears, Value: 10})
			sub := newSub(t, root, alg, 1, "SubordinateCACertificate_PathLen0", Validity{Type: ValidityYears, Value: 5})
			der, err := Issue(&IssueRequest{CSR: simpleCSR(t, testKey(t, alg, 2), "leaf", "leaf.example.com"), Issuer: sub.cert, IssuerSigner: sub.signer,
				SigningAlgorithm: sigFor(alg), Validity: Validity{Type: ValidityDays, Value: 90}, Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "root.pem", EncodeCertPEM(root.cert.Raw))
			writeFile(t, dir, "sub.pem", EncodeCertPEM(sub.cert.Raw))
			writeFile(t, dir, "leaf.pem", EncodeCertPEM(der))
			at := strconv.FormatInt(testNow.Unix(), 10)
			runOpenSSL(t, dir, "verify", "-attime", at, "-x509_strict", "-CAfile", "root.pem", "-untrusted", "sub.pem", "leaf.pem")
			runOpenSSL(t, dir, "verify", "-attime", at, "-x509_strict", "-CAfile", "root.pem", "sub.pem")
		})
	}
	t.Run("external root signs our CSR", func(t *testing.T) {
		key := testKey(t, ECPrime256v1, 7)
		csr, err := CreateCACSR(key, ASN1Subject{Organization: "Example", CommonName: "Imported Sub"}, nil, SHA256WithECDSA)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, "sub.csr", EncodeCSRPEM(csr))
		writeFile(t, dir, "ext.cnf", []byte("basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,digitalSignature,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"))
		runOpenSSL(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ext-root.key", "-out", "ext-root.pem",
			"-subj", "/CN=External Root", "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
		runOpenSSL(t, dir, "x509", "-req", "-in", "sub.csr", "-CA", "ext-root.pem", "-CAkey", "ext-root.key", "-set_serial", "0x1234", "-days", "1000", "-extfile", "ext.cnf", "-out", "imported.pem")
		rootPEM, _ := os.ReadFile(filepath.Join(dir, "ext-root.pem"))
		subPEM, _ := os.ReadFile(filepath.Join(dir, "imported.pem"))
		extRoot, err := ParseCertificatePEM(rootPEM)
		if err != nil {
			t.Fatal(err)
		}
		imported, err := ParseCertificatePEM(subPEM)
		if err != nil {
			t.Fatal(err)
		}
		// After openssl ran: its notBefore is its own clock's second, which
		// may be later than a time taken before it started.
		now := time.Now()
		if err := VerifyCAImport(imported, []*x509.Certificate{extRoot}, key.Public(), false, now); err != nil {
			t.Fatalf("VerifyCAImport: %v", err)
		}
		if err := VerifyCAImport(imported, []*x509.Certificate{extRoot}, testKey(t, ECPrime256v1, 8).Public(), false, now); KindOf(err) != CertificateMismatch {
			t.Fatalf("another key: %v, want CertificateMismatch", err)
		}
		// The imported CA issues; openssl verifies the whole chain.
		der, err := Issue(&IssueRequest{CSR: simpleCSR(t, testKey(t, ECPrime256v1, 9), "leaf", "leaf.example.com"), Issuer: imported, IssuerSigner: key,
			SigningAlgorithm: SHA256WithECDSA, Validity: Validity{Type: ValidityDays, Value: 30}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		lintCert(t, der)
		writeFile(t, dir, "leaf2.pem", EncodeCertPEM(der))
		runOpenSSL(t, dir, "verify", "-x509_strict", "-CAfile", "ext-root.pem", "-untrusted", "imported.pem", "leaf2.pem")
		// A path-length-0 CA cannot issue another CA.
		caCSR, _ := CreateCACSR(testKey(t, ECPrime256v1, 9), ASN1Subject{CommonName: "too deep"}, nil, SHA256WithECDSA)
		_, err = Issue(&IssueRequest{CSR: caCSR, Issuer: imported, IssuerSigner: key, SigningAlgorithm: SHA256WithECDSA,
			TemplateARN: templateARNPrefix + "SubordinateCACertificate_PathLen0/V1", Validity: Validity{Type: ValidityDays, Value: 30}, Now: now})
		wantKind(t, err, InvalidArgs)
	})
}
