package pca

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/pki"
)

func parsePEM(t *testing.T, s string) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	rest := []byte(s)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestLifecycleRootSubLeaf(t *testing.T) {
	for _, alg := range []pki.KeyAlgorithm{pki.ECPrime256v1, pki.RSA2048} {
		t.Run(string(alg), func(t *testing.T) {
			e := newEnv(t, Config{})
			root := e.create("ROOT", alg, "Root")
			if st := e.status(root); st != statusPending {
				t.Fatalf("new CA status %s", st)
			}
			ten := int64(10)
			rootCertARN, err := e.issue(root, e.csr(root), alg, tmplARN("RootCACertificate"), &Validity{Value: &ten, Type: "YEARS"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(rootCertARN, root+"/certificate/") {
				t.Fatalf("certificate ARN %s", rootCertARN)
			}
			got := e.get(root, rootCertARN)
			if got.CertificateChain != "" {
				t.Fatalf("chain before install: %q", got.CertificateChain)
			}
			e.importCert(root, []byte(got.Certificate), nil)
			if st := e.status(root); st != statusActive {
				t.Fatalf("root status after import %s", st)
			}
			rc, err := e.svc.GetCertificateAuthorityCertificate(bg, rootCaller(acct), &GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: root})
			if err != nil || rc.CertificateChain != "" || rc.Certificate != got.Certificate {
				t.Fatalf("root CA certificate %+v %v", rc, err)
			}

			sub := e.activeSub(root, alg, "SubordinateCACertificate_PathLen0", 5)
			if st := e.status(sub); st != statusActive {
				t.Fatalf("sub status %s", st)
			}
			leafARN, err := e.issue(sub, leafCSR(t, "leaf.example.com"), alg, "", days(30))
			if err != nil {
				t.Fatal(err)
			}
			out := e.get(sub, leafARN)
			leaf := parsePEM(t, out.Certificate)[0]
			chain := parsePEM(t, out.CertificateChain)
			if len(chain) != 2 {
				t.Fatalf("leaf chain has %d certificates, want sub + root", len(chain))
			}
			roots, inter := x509.NewCertPool(), x509.NewCertPool()
			roots.AddCert(chain[1])
			inter.AddCert(chain[0])
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: testNow,
				DNSName: "leaf.example.com"}); err != nil {
				t.Fatalf("verify: %v", err)
			}
			if want := pki.SerialHex(leaf.SerialNumber); !strings.HasSuffix(leafARN, "/certificate/"+want) {
				t.Fatalf("ARN %s does not end in the serial %s", leafARN, want)
			}

			d, err := e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: sub})
			if err != nil {
				t.Fatal(err)
			}
			ca := d.CertificateAuthority
			if ca.Type != "SUBORDINATE" || ca.Serial == "" || ca.NotAfter.IsZero() || ca.OwnerAccount != acct ||
				ca.CertificateAuthorityConfiguration.KeyAlgorithm != string(alg) || ca.UsageMode != "GENERAL_PURPOSE" ||
				ca.KeyStorageSecurityStandard != "FIPS_140_2_LEVEL_3_OR_HIGHER" || !ca.RestorableUntil.IsZero() {
				t.Fatalf("describe %+v", ca)
			}

			// Expired certificates are still returned.
			e.clk.Advance(40 * 24 * time.Hour)
			if got := e.get(sub, leafARN); got.Certificate != out.Certificate {
				t.Fatal("expired certificate not returned")
			}
		})
	}
}

func TestExpiredCA(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.create("ROOT", pki.ECPrime256v1, "Short root")
	d := int64(2)
	c, err := e.issue(root, e.csr(root), pki.ECPrime256v1, tmplARN("RootCACertificate"), &Validity{Value: &d, Type: "DAYS"})
	if err != nil {
		t.Fatal(err)
	}
	cert := []byte(e.get(root, c).Certificate)
	e.importCert(root, cert, nil)
	e.clk.Advance(3 * 24 * time.Hour)
	if st := e.status(root); st != statusExpired {
		t.Fatalf("status %s, want EXPIRED", st)
	}
	_, err = e.issue(root, leafCSR(t, "x.example.com"), pki.ECPrime256v1, "", days(1))
	wantKind(t, err, ErrInvalidState)
	_, err = e.svc.UpdateCertificateAuthority(bg, rootCaller(acct), &UpdateCertificateAuthorityInput{CertificateAuthorityArn: root, Status: "DISABLED"})
	wantKind(t, err, ErrInvalidState)

	// A new self-signed certificate for the same key brings it back.
	ten := int64(10)
	c2, err := e.issue(root, e.csr(root), pki.ECPrime256v1, tmplARN("RootCACertificate"), &Validity{Value: &ten, Type: "YEARS"})
	if err != nil {
		t.Fatal(err)
	}
	e.importCert(root, []byte(e.get(root, c2).Certificate), nil)
	if st := e.status(root); st != statusActive {
		t.Fatalf("status after re-import %s", st)
	}
}

// TestCreatingAndFailed: CreateCertificateAuthority answers at once with
// the CA CREATING while its key is generated off the request path; the
// CSR is RequestInProgress until then; a key store failure leaves FAILED.
func TestCreatingAndFailed(t *testing.T) {
	e := newEnv(t, Config{})
	e.keys.gate, e.keys.started = make(chan struct{}), make(chan struct{}, 1)
	done := make(chan string, 1)
	go func() {
		out, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &CreateCertificateAuthorityInput{
			CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "Slow"), CertificateAuthorityType: "ROOT"})
		if err != nil {
			t.Error(err)
		}
		done <- out.CertificateAuthorityArn
	}()
	var arn string
	select {
	case arn = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("CreateCertificateAuthority waited for the key generation")
	}
	<-e.keys.started
	d, err := e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil || d.CertificateAuthority.Status != statusCreating {
		t.Fatalf("describe while creating: %+v %v", d, err)
	}
	list, err := e.svc.ListCertificateAuthorities(bg, rootCaller(acct), &ListCertificateAuthoritiesInput{})
	if err != nil || len(list.CertificateAuthorities) != 1 || list.CertificateAuthorities[0].Status != statusCreating {
		t.Fatalf("list while creating: %+v %v", list, err)
	}
	_, err = e.svc.GetCertificateAuthorityCsr(bg, rootCaller(acct), &GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn})
	wantKind(t, err, ErrRequestInProgress)
	_, err = e.issue(arn, leafCSR(t, "a.example.com"), pki.ECPrime256v1, "", days(1))
	wantKind(t, err, ErrInvalidState)
	close(e.keys.gate)
	if st := e.waitCreated(rootCaller(acct), arn); st != statusPending {
		t.Fatalf("status after creation %s", st)
	}
	if len(e.csr(arn)) == 0 {
		t.Fatal("no CSR once PENDING_CERTIFICATE")
	}

	// A key store failure leaves the CA FAILED; it can only be deleted, at once.
	e.keys.gate, e.keys.failGen = nil, errors.New("token unavailable")
	failed := e.create("ROOT", pki.ECPrime256v1, "Broken")
	d, err = e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: failed})
	if err != nil || d.CertificateAuthority.Status != statusFailed || d.CertificateAuthority.FailureReason != "OTHER" {
		t.Fatalf("failed CA %+v %v", d, err)
	}
	_, err = e.svc.GetCertificateAuthorityCsr(bg, rootCaller(acct), &GetCertificateAuthorityCsrInput{CertificateAuthorityArn: failed})
	wantKind(t, err, ErrInvalidState)
	if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: failed}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: failed})
	wantKind(t, err, ErrNotFound)
}

// TestCreatingResumedAfterRestart: a CA whose key generation had not run
// when the process stopped is generated by the next process.
func TestCreatingResumedAfterRestart(t *testing.T) {
	e := newEnv(t, Config{})
	e.svc.keygen.close() // the workers are gone, as after a crash
	out, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "Interrupted"), CertificateAuthorityType: "ROOT"})
	if err != nil {
		t.Fatal(err)
	}
	if st := e.status(out.CertificateAuthorityArn); st != statusCreating {
		t.Fatalf("status %s, want CREATING", st)
	}
	e.reopen()
	if st := e.waitCreated(rootCaller(acct), out.CertificateAuthorityArn); st != statusPending {
		t.Fatalf("status after restart %s", st)
	}
}

// TestDeleteWhileCreating: a CA deleted while its key is being generated
// stays deleted; the create answers ConcurrentModificationException and
// the new key is destroyed rather than left behind.
func TestDeleteWhileCreating(t *testing.T) {
	e := newEnv(t, Config{})
	e.keys.gate, e.keys.started = make(chan struct{}), make(chan struct{}, 1)
	out, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "Doomed"), CertificateAuthorityType: "ROOT"})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.CertificateAuthorityArn
	<-e.keys.started
	if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: arn}); err != nil {
		t.Fatal(err)
	}
	close(e.keys.gate)
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.keys.mu.Lock()
		ok := len(e.keys.generated) == 1 && slices.Contains(e.keys.destroyed, e.keys.generated[0])
		gen, des := e.keys.generated, e.keys.destroyed
		e.keys.mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("generated %v, destroyed %v: the deleted CA's key was kept", gen, des)
		}
		time.Sleep(2 * time.Millisecond)
	}
	_, err = e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	wantKind(t, err, ErrNotFound)
}
