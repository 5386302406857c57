package pca

import (
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store"
)

// peer is a second Service on the same database, as another server
// sharing it would be (same fake clock).
func (e *env) peer() *Service {
	e.t.Helper()
	p := New(e.db, e.keys, authz.New(noIdentities{}, nil, e.clk), e.clk, e.cfg)
	e.t.Cleanup(func() { p.Close() })
	return p
}

func strp(s string) *string { return &s }

func listTags(t *testing.T, svc *Service, arn string) map[string]string {
	t.Helper()
	out, err := svc.ListTags(bg, rootCaller(acct), &ListTagsInput{CertificateAuthorityArn: arn})
	if err != nil {
		t.Fatalf("list tags: %v", err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[tg.Key] = *tg.Value
	}
	return m
}

func describeStatus(t *testing.T, svc *Service, arn string) string {
	t.Helper()
	out, err := svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	return out.CertificateAuthority.Status
}

func issueWith(svc *Service, caARN string, csr []byte) error {
	_, err := svc.IssueCertificate(bg, rootCaller(acct), &IssueCertificateInput{CertificateAuthorityArn: caARN, Csr: csr,
		SigningAlgorithm: string(pki.SHA256WithECDSA), Validity: days(30)})
	return err
}

func setStatus(t *testing.T, svc *Service, arn, status string) {
	t.Helper()
	if _, err := svc.UpdateCertificateAuthority(bg, rootCaller(acct), &UpdateCertificateAuthorityInput{
		CertificateAuthorityArn: arn, Status: status}); err != nil {
		t.Fatalf("update to %s: %v", status, err)
	}
}

func tagCA(t *testing.T, svc *Service, arn, k, v string) {
	t.Helper()
	if _, err := svc.TagCertificateAuthority(bg, rootCaller(acct), &TagCertificateAuthorityInput{
		CertificateAuthorityArn: arn, Tags: []Tag{{Key: k, Value: strp(v)}}}); err != nil {
		t.Fatalf("tag: %v", err)
	}
}

// Every change made through the Service is visible to its very next call,
// although each check first warms the cache with the old row.
func TestCACacheSeesOwnWrites(t *testing.T) {
	e := newEnv(t, Config{})
	csr := leafCSR(t, "cache.example.com")
	cases := []struct {
		name   string
		warm   func(t *testing.T, arn string) // reads the CA through the cache
		change func(t *testing.T, arn string)
		check  func(t *testing.T, arn string)
	}{
		{
			name: "update status then issue",
			warm: func(t *testing.T, arn string) { wantKind(t, issueWith(e.svc, arn, csr), nil) },
			change: func(t *testing.T, arn string) {
				setStatus(t, e.svc, arn, statusDisabled)
			},
			check: func(t *testing.T, arn string) { wantKind(t, issueWith(e.svc, arn, csr), ErrInvalidState) },
		},
		{
			name: "re-enable then issue",
			warm: func(t *testing.T, arn string) {
				setStatus(t, e.svc, arn, statusDisabled)
				wantKind(t, issueWith(e.svc, arn, csr), ErrInvalidState)
			},
			change: func(t *testing.T, arn string) { setStatus(t, e.svc, arn, statusActive) },
			check:  func(t *testing.T, arn string) { wantKind(t, issueWith(e.svc, arn, csr), nil) },
		},
		{
			name:   "tag then list tags",
			warm:   func(t *testing.T, arn string) { listTags(t, e.svc, arn) },
			change: func(t *testing.T, arn string) { tagCA(t, e.svc, arn, "team", "blue") },
			check: func(t *testing.T, arn string) {
				if got := listTags(t, e.svc, arn); got["team"] != "blue" {
					t.Fatalf("tags %v, want team=blue", got)
				}
			},
		},
		{
			name: "untag then list tags",
			warm: func(t *testing.T, arn string) {
				tagCA(t, e.svc, arn, "gone", "soon")
				listTags(t, e.svc, arn)
			},
			change: func(t *testing.T, arn string) {
				if _, err := e.svc.UntagCertificateAuthority(bg, rootCaller(acct), &UntagCertificateAuthorityInput{
					CertificateAuthorityArn: arn, Tags: []Tag{{Key: "gone"}}}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, arn string) {
				if got := listTags(t, e.svc, arn); len(got) != 0 {
					t.Fatalf("tags %v, want none", got)
				}
			},
		},
		{
			name: "delete then restore",
			warm: func(t *testing.T, arn string) {
				setStatus(t, e.svc, arn, statusDisabled)
				describeStatus(t, e.svc, arn)
				if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: arn}); err != nil {
					t.Fatal(err)
				}
				if st := describeStatus(t, e.svc, arn); st != statusDeleted {
					t.Fatalf("after delete: %s", st)
				}
			},
			change: func(t *testing.T, arn string) {
				if _, err := e.svc.RestoreCertificateAuthority(bg, rootCaller(acct), &RestoreCertificateAuthorityInput{CertificateAuthorityArn: arn}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, arn string) {
				if st := describeStatus(t, e.svc, arn); st != statusDisabled {
					t.Fatalf("after restore: %s, want DISABLED", st)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arn := e.activeRoot(pki.ECPrime256v1, 10)
			c.warm(t, arn)
			c.change(t, arn)
			c.check(t, arn)
		})
	}
}

// Importing a CA certificate is visible at once to Describe, and
// re-importing one changes the chain GetCertificate answers.
func TestCACacheSeesImport(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 10)
	sub := e.create("SUBORDINATE", pki.ECPrime256v1, "Sub cached")
	if st := describeStatus(t, e.svc, sub); st != statusPending {
		t.Fatalf("new sub: %s", st)
	}
	subCSR := e.csr(sub)
	years := int64(3)
	install := func() string {
		certARN, err := e.issue(root, subCSR, pki.ECPrime256v1, tmplARN("SubordinateCACertificate_PathLen0"), &Validity{Value: &years, Type: "YEARS"})
		if err != nil {
			t.Fatal(err)
		}
		got := e.get(root, certARN)
		e.importCert(sub, []byte(got.Certificate), []byte(got.CertificateChain))
		return got.Certificate
	}
	first := install()
	if st := describeStatus(t, e.svc, sub); st != statusActive {
		t.Fatalf("after import: %s, want ACTIVE", st)
	}
	leaf, err := e.issue(sub, leafCSR(t, "leaf.example.com"), pki.ECPrime256v1, "", days(30))
	if err != nil {
		t.Fatal(err)
	}
	if chain := e.get(sub, leaf).CertificateChain; !strings.HasPrefix(chain, first) {
		t.Fatal("chain does not start with the imported CA certificate")
	}
	second := install()
	if second == first {
		t.Fatal("re-issued CA certificate is identical")
	}
	if chain := e.get(sub, leaf).CertificateChain; !strings.HasPrefix(chain, second) {
		t.Fatal("chain still names the replaced CA certificate")
	}
}

// EXPIRED comes from the clock at read time, even from a fresh cache entry.
func TestCACacheExpiryNotCached(t *testing.T) {
	e := newEnv(t, Config{})
	root := e.activeRoot(pki.ECPrime256v1, 1)
	out, err := e.svc.DescribeCertificateAuthority(bg, rootCaller(acct), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: root})
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Set(out.CertificateAuthority.NotAfter.Add(-caCacheTTL / 4))
	if st := describeStatus(t, e.svc, root); st != statusActive {
		t.Fatalf("just before expiry: %s", st)
	}
	e.clk.Advance(caCacheTTL / 2) // within the entry's TTL, past NotAfter
	if st := describeStatus(t, e.svc, root); st != statusExpired {
		t.Fatalf("just after expiry: %s, want EXPIRED", st)
	}
}

// Another server sharing the database sees changes once the TTL has run.
func TestCACachePeerSeesChangesAfterTTL(t *testing.T) {
	e := newEnv(t, Config{})
	other := e.peer()
	csr := leafCSR(t, "peer.example.com")
	root := e.activeRoot(pki.ECPrime256v1, 10)
	parent := e.activeRoot(pki.ECPrime256v1, 10)
	sub := e.create("SUBORDINATE", pki.ECPrime256v1, "Sub peer")

	// The peer caches the rows.
	wantKind(t, issueWith(other, root, csr), nil)
	listTags(t, other, root)
	if st := describeStatus(t, other, sub); st != statusPending {
		t.Fatalf("peer sees new sub as %s", st)
	}

	setStatus(t, e.svc, root, statusDisabled)
	tagCA(t, e.svc, root, "env", "prod")
	years := int64(3)
	certARN, err := e.issue(parent, e.csr(sub), pki.ECPrime256v1, tmplARN("SubordinateCACertificate_PathLen0"), &Validity{Value: &years, Type: "YEARS"})
	if err != nil {
		t.Fatal(err)
	}
	got := e.get(parent, certARN)
	e.importCert(sub, []byte(got.Certificate), []byte(got.CertificateChain))

	// Within the TTL the peer may still answer from its cached row: this
	// shows the cache is in use, so the step below tests its expiry. On
	// PostgreSQL the peer was notified instead (notify.go).
	if e.db.Engine() != store.Postgres {
		wantKind(t, issueWith(other, root, csr), nil)
	}

	e.clk.Advance(caCacheTTL)
	wantKind(t, issueWith(other, root, csr), ErrInvalidState)
	if tags := listTags(t, other, root); tags["env"] != "prod" {
		t.Fatalf("peer tags %v, want env=prod", tags)
	}
	if st := describeStatus(t, other, sub); st != statusActive {
		t.Fatalf("peer sees imported sub as %s, want ACTIVE", st)
	}
}
