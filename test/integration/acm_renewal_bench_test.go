package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"

	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store"
)

// TestACMRenewalPassRate measures (it asserts no time) one worker pass over
// OPENPCA_BENCH_RENEWALS due exported certificates, seeded directly as
// copies of one issued through the API, against the raw issuance rate with
// key generation measured in the same run. Skipped unless the variable is
// set: `OPENPCA_BENCH_RENEWALS=100000 go test ./test/integration -run
// TestACMRenewalPassRate -v -timeout 30m`.
func TestACMRenewalPassRate(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("OPENPCA_BENCH_RENEWALS"))
	if n <= 0 {
		t.Skip("set OPENPCA_BENCH_RENEWALS to measure")
	}
	r := newACMRig(t)
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	ca := activeCA(t, r.pca(a))
	bID, _, bDev := outsideAccount(t, r.rig, acmUserPolicy)
	putPolicy(t, r.pca(a), ca, accountShareDoc(ca, bID))
	bACM := r.acm(bDev)
	arn := request(t, bACM, ca)
	r.work(0)
	export(t, bACM, arn)
	// n-1 copies under new ARNs, all due at the same renewal instant.
	copyACMCertificate(t, r.app.DB, arn, n-1)
	cpu0 := benchcpu.Process()
	raw, rawN := rawIssueRate(t, 3*time.Second)
	rawCPU := (benchcpu.Process() - cpu0) / time.Duration(rawN)
	r.clock.Advance(renewAt)
	start, cpu1 := time.Now(), benchcpu.Process()
	worked, err := r.app.ACM.RunDue(ctx)
	elapsed, passCPU := time.Since(start), (benchcpu.Process()-cpu1)/time.Duration(max(n, 1))
	r.clock.Advance(-renewAt)
	if err != nil || worked != n {
		t.Fatalf("worked %d of %d: %v", worked, n, err)
	}
	if d := r.describe(bACM, arn); d.RenewalSummary == nil || d.RenewalSummary.RenewalStatus != acmtypes.RenewalStatusSuccess {
		t.Fatalf("renewal: %+v", d.RenewalSummary)
	}
	rate := float64(n) / elapsed.Seconds()
	t.Logf("renewal pass: %d certificates in %s = %.0f/s; raw pipeline with key generation %.0f/s on %d cores; ratio %.2f",
		n, elapsed.Round(time.Millisecond), rate, raw, runtime.GOMAXPROCS(0), rate/raw)
	// CPU time is what other processes on a shared machine disturb least.
	t.Logf("CPU per certificate: pass %s, raw %s; ratio %.2f", passCPU.Round(time.Microsecond),
		rawCPU.Round(time.Microsecond), float64(rawCPU)/float64(passCPU))
}

// rawIssueRate is the pure pipeline a renewal needs, on every core: a new
// P-256 key, its CSR, and the CA's signature (pki.Issue).
func rawIssueRate(t *testing.T, d time.Duration) (float64, int64) {
	caKey, err := pki.GenerateKey(pki.KeyAlgorithm("EC_prime256v1"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	caCSR, err := pki.CreateCACSR(caKey, pki.ASN1Subject{CommonName: "raw"}, nil, pki.SHA256WithECDSA)
	if err != nil {
		t.Fatal(err)
	}
	rootDER, err := pki.Issue(&pki.IssueRequest{CSR: caCSR, IssuerSigner: caKey, SigningAlgorithm: pki.SHA256WithECDSA,
		TemplateARN: "arn:aws:acm-pca:::template/RootCACertificate/V1", Validity: pki.Validity{Type: "YEARS", Value: 10}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		t.Fatal(err)
	}
	var count atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
					Subject: pkix.Name{CommonName: "app.example.com"}, DNSNames: []string{"app.example.com", "www.example.com"}}, key)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := pki.Issue(&pki.IssueRequest{CSR: csr, Issuer: root, IssuerSigner: caKey, SigningAlgorithm: pki.SHA256WithECDSA,
					Validity: pki.Validity{Type: "DAYS", Value: 395}, Now: now}); err != nil {
					t.Error(err)
					return
				}
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(count.Load()) / time.Since(start).Seconds(), count.Load()
}

// copyACMCertificate stores copies of the managed certificate arn under
// new IDs and ARNs (arn-1 … arn-copies), with everything else equal: due
// at the same renewal instant, for load and multi-server tests.
func copyACMCertificate(t testing.TB, db *store.DB, arn string, copies int) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM seq WHERE i < $1)
		INSERT INTO acm_certificates (id, arn, region, account_id, cert_type, domain_name, sans_json, key_algorithm,
			ca_arn, status, failure_reason, options_json, managed_by, requester_json, key_blob, cert_der, chain_pem,
			pca_cert_arn, serial, not_before, not_after, created_at, issued_at, imported_at, revoked_at,
			revocation_reason, exported, renewal_status, renewal_reason, renewal_updated_at, next_attempt_at,
			lease_until, idempotency_token)
		SELECT id || '-' || i, arn || '-' || i, region, account_id, cert_type, domain_name, sans_json, key_algorithm,
			ca_arn, status, failure_reason, options_json, managed_by, requester_json, key_blob, cert_der, chain_pem,
			pca_cert_arn, serial, not_before, not_after, created_at, issued_at, imported_at, revoked_at,
			revocation_reason, exported, renewal_status, renewal_reason, renewal_updated_at, next_attempt_at,
			lease_until, '' FROM acm_certificates, seq WHERE arn = $2`, copies, arn); err != nil {
		t.Fatal(err)
	}
}
