package pca

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
)

const acct = "111122223333"

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// noIdentities is the IdentitySource of these tests: principals have no
// identity policies (root is allowed everything in its own account).
type noIdentities struct{}

func (noIdentities) IdentityPolicies(context.Context, *authz.Principal) ([]authz.Policy, error) {
	return nil, nil
}

func rootCaller(account string) *authz.Caller {
	arn := "arn:aws:iam::" + account + ":root"
	return &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: account, ARN: arn, PrincipalARN: arn, UserID: account}}
}

func userCaller(account, name string) *authz.Caller {
	arn := "arn:aws:iam::" + account + ":user/" + name
	return &authz.Caller{Principal: authz.Principal{Type: authz.TypeUser, AccountID: account, ARN: arn, PrincipalARN: arn,
		UserID: "AIDA" + name, EntityID: "AIDA" + name, UserName: name}}
}

// recordingSealer remembers every plaintext it sealed (the PKCS #8 keys),
// so a test can look for them in the database files.
type recordingSealer struct {
	keystore.Sealer
	mu    sync.Mutex
	plain [][]byte
}

func (r *recordingSealer) Seal(p, ad []byte) ([]byte, error) {
	r.mu.Lock()
	r.plain = append(r.plain, bytes.Clone(p))
	r.mu.Unlock()
	return r.Sealer.Seal(p, ad)
}

// gatedKeys wraps a KeyStore: Generate waits on gate (when set) and fails
// with failGen (when set); generated and destroyed handles are recorded.
type gatedKeys struct {
	keystore.KeyStore
	gate    chan struct{}
	started chan struct{}
	failGen error

	mu                   sync.Mutex
	generated, destroyed []string
}

func (g *gatedKeys) Generate(ctx context.Context, alg pki.KeyAlgorithm) (*keystore.Key, error) {
	if g.gate != nil {
		g.started <- struct{}{}
		<-g.gate
	}
	if g.failGen != nil {
		return nil, g.failGen
	}
	k, err := g.KeyStore.Generate(ctx, alg)
	if err == nil {
		g.mu.Lock()
		g.generated = append(g.generated, k.Handle)
		g.mu.Unlock()
	}
	return k, err
}

func (g *gatedKeys) Destroy(ctx context.Context, handle string, blob []byte) error {
	g.mu.Lock()
	g.destroyed = append(g.destroyed, handle)
	g.mu.Unlock()
	return g.KeyStore.Destroy(ctx, handle, blob)
}

type env struct {
	t      testing.TB
	dir    string
	db     *store.DB
	svc    *Service
	clk    *clock.Fake
	sealer *recordingSealer
	keys   *gatedKeys
	mk     *keystore.MasterKey
	cfg    Config
}

var masterRaw = bytes.Repeat([]byte{7}, 32)

// newEnv opens a fresh SQLite database in a temp dir and a service on it.
func newEnv(t testing.TB, cfg Config) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clk: clock.NewFake(testNow), cfg: cfg}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *env) open() {
	e.t.Helper()
	db, err := storetest.OpenDir(context.Background(), e.t, e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	mk, err := keystore.NewMasterKey(masterRaw)
	if err != nil {
		e.t.Fatal(err)
	}
	e.db, e.mk = db, mk
	e.sealer = &recordingSealer{Sealer: mk}
	e.keys = &gatedKeys{KeyStore: keystore.NewSoftware(e.sealer, 0)}
	e.svc = New(db, e.keys, authz.New(noIdentities{}, nil, e.clk), e.clk, e.cfg)
}

func (e *env) close() {
	if e.svc != nil {
		e.svc.Close()
		e.db.Close()
		e.svc = nil
	}
}

// reopen closes everything and opens the same directory again.
func (e *env) reopen() {
	e.close()
	e.open()
}

var bg = context.Background()

func caConfig(alg pki.KeyAlgorithm, cn string) *CertificateAuthorityConfiguration {
	return &CertificateAuthorityConfiguration{KeyAlgorithm: string(alg), SigningAlgorithm: string(sigFor(alg)),
		Subject: &ASN1Subject{Organization: "Example", CommonName: cn}}
}

func sigFor(alg pki.KeyAlgorithm) pki.SigningAlgorithm {
	if alg[0] == 'R' {
		return pki.SHA256WithRSA
	}
	return pki.SHA256WithECDSA
}

// create creates a CA and, as clients do with the SDK waiter, waits until
// its key exists (PENDING_CERTIFICATE or FAILED).
func (e *env) create(typ string, alg pki.KeyAlgorithm, cn string) string {
	e.t.Helper()
	out, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: caConfig(alg, cn), CertificateAuthorityType: typ})
	if err != nil {
		e.t.Fatalf("create %s: %v", cn, err)
	}
	e.waitCreated(rootCaller(acct), out.CertificateAuthorityArn)
	return out.CertificateAuthorityArn
}

// waitCreated polls the CA until it leaves CREATING and returns its status.
func (e *env) waitCreated(c *authz.Caller, arn string) string {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := e.svc.DescribeCertificateAuthority(bg, c, &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
		if err != nil {
			e.t.Fatalf("describe while waiting: %v", err)
		}
		if st := out.CertificateAuthority.Status; st != statusCreating {
			return st
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s still CREATING", arn)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// csr returns the CA's CSR, retrying RequestInProgressException as the
// SDK's CertificateAuthorityCSRCreated waiter does.
func (e *env) csr(arn string) []byte {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := e.svc.GetCertificateAuthorityCsr(bg, rootCaller(acct), &GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn})
		if errors.Is(err, ErrRequestInProgress) && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		if err != nil {
			e.t.Fatalf("csr: %v", err)
		}
		return []byte(out.Csr)
	}
}

func days(n int64) *Validity { return &Validity{Value: &n, Type: "DAYS"} }

func (e *env) issue(caARN string, csr []byte, alg pki.KeyAlgorithm, template string, v *Validity) (string, error) {
	out, err := e.svc.IssueCertificate(bg, rootCaller(acct), &IssueCertificateInput{CertificateAuthorityArn: caARN, Csr: csr,
		SigningAlgorithm: string(sigFor(alg)), TemplateArn: template, Validity: v})
	if err != nil {
		return "", err
	}
	return out.CertificateArn, nil
}

func (e *env) get(caARN, certARN string) *GetCertificateOutput {
	e.t.Helper()
	out, err := e.svc.GetCertificate(bg, rootCaller(acct), &GetCertificateInput{CertificateAuthorityArn: caARN, CertificateArn: certARN})
	if err != nil {
		e.t.Fatalf("get certificate: %v", err)
	}
	return out
}

func tmplARN(name string) string { return "arn:aws:acm-pca:::template/" + name + "/V1" }

// activeRoot creates a root CA and installs its self-signed certificate.
func (e *env) activeRoot(alg pki.KeyAlgorithm, years int64) string {
	e.t.Helper()
	arn := e.create("ROOT", alg, "Root "+string(alg))
	certARN, err := e.issue(arn, e.csr(arn), alg, tmplARN("RootCACertificate"), &Validity{Value: &years, Type: "YEARS"})
	if err != nil {
		e.t.Fatalf("issue root: %v", err)
	}
	e.importCert(arn, []byte(e.get(arn, certARN).Certificate), nil)
	return arn
}

// activeSub creates a subordinate signed by parent with template and installs it.
func (e *env) activeSub(parent string, alg pki.KeyAlgorithm, template string, years int64) string {
	e.t.Helper()
	arn := e.create("SUBORDINATE", alg, "Sub "+template)
	certARN, err := e.issue(parent, e.csr(arn), alg, tmplARN(template), &Validity{Value: &years, Type: "YEARS"})
	if err != nil {
		e.t.Fatalf("issue sub: %v", err)
	}
	got := e.get(parent, certARN)
	e.importCert(arn, []byte(got.Certificate), []byte(got.CertificateChain))
	return arn
}

func (e *env) importCert(arn string, cert, chain []byte) {
	e.t.Helper()
	if _, err := e.svc.ImportCertificateAuthorityCertificate(bg, rootCaller(acct), &ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: arn, Certificate: cert, CertificateChain: chain}); err != nil {
		e.t.Fatalf("import: %v", err)
	}
}

func (e *env) status(arn string) string {
	e.t.Helper()
	out, err := e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil {
		e.t.Fatalf("describe: %v", err)
	}
	return out.CertificateAuthority.Status
}

func (e *env) certCount(arn string) int {
	e.t.Helper()
	_, _, id, err := parseCAARN(arn)
	if err != nil {
		e.t.Fatal(err)
	}
	n, err := e.svc.countCerts(bg, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

var (
	leafKeyOnce sync.Once
	leafKey     crypto.Signer
)

func testLeafKey() crypto.Signer {
	leafKeyOnce.Do(func() {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		leafKey = k
	})
	return leafKey
}

func leafCSR(t testing.TB, cn string) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}}, testLeafKey())
	if err != nil {
		t.Fatal(err)
	}
	return pki.EncodeCSRPEM(der)
}

// wantKind checks err against a domain kind (nil: no error).
func wantKind(t testing.TB, err, kind error) {
	t.Helper()
	if kind == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %v (%T), want kind %v", err, err, kind)
	}
}
