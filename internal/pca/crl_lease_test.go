package pca

import (
	"sync"
	"testing"
	"time"
)

// crlNumberOf is the number of the CA's stored CRL.
func (e *env) crlNumberOf(ca string) int64 {
	e.t.Helper()
	rec, err := e.svc.getCRL(bg, caIDOf(ca))
	if err != nil || rec == nil {
		e.t.Fatalf("stored CRL: %v %v", rec, err)
	}
	return rec.Number
}

// A CRL lease left by a server that died while holding it blocks the
// scheduler until it expires on the injected clock; then this server takes
// it over, publishes the pending revocation and releases the lease.
func TestCRLLeaseOfDeadHolderTakenOver(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base, CRLCheckInterval: time.Hour, CRLDebounce: time.Hour})
	ca := e.revRoot(crlOn(nil))
	e.fetchCRL(ca)
	a, _ := e.leaf(ca, "a.example.com")
	if err := e.revoke(ca, serialOf(a), "KEY_COMPROMISE"); err != nil {
		t.Fatal(err)
	}
	id := caIDOf(ca)
	if ok, err := e.db.TryLease(bg, crlLeaseName(id), "dead-server", e.clk.Now(), crlLeaseTTL); err != nil || !ok {
		t.Fatalf("dead holder's lease: %v %v", ok, err)
	}
	e.svc.publishOne(bg, id)
	if n := e.crlNumberOf(ca); n != 1 {
		t.Fatalf("CRL %d published while another server held the lease", n)
	}
	e.clk.Advance(crlLeaseTTL - time.Second)
	e.svc.publishOne(bg, id)
	if n := e.crlNumberOf(ca); n != 1 {
		t.Fatalf("CRL %d published before the lease expired", n)
	}
	e.clk.Advance(time.Second)
	e.svc.publishOne(bg, id)
	if n := e.crlNumberOf(ca); n != 2 {
		t.Fatalf("CRL number %d after the lease expired, want 2", n)
	}
	crl := e.fetchCRL(ca)
	if len(crl.RevokedCertificateEntries) != 1 || crl.Number.Int64() != 2 {
		t.Fatalf("CRL %v with %d entries, want number 2 with the revocation", crl.Number, len(crl.RevokedCertificateEntries))
	}
	// Released: a third server gets it at once.
	if ok, err := e.db.TryLease(bg, crlLeaseName(id), "third-server", e.clk.Now(), crlLeaseTTL); err != nil || !ok {
		t.Fatalf("lease not released after publishing: %v %v", ok, err)
	}
}

// A holder whose lease expired and was taken over publishes nothing: the
// lease check and the CRL write share one transaction.
func TestCRLExpiredHolderDoesNotPublish(t *testing.T) {
	e := newEnv(t, Config{PublicBaseURL: base, CRLCheckInterval: time.Hour, CRLDebounce: time.Hour})
	ca := e.revRoot(crlOn(nil))
	e.fetchCRL(ca)
	id := caIDOf(ca)
	if ok, err := e.db.TryLease(bg, crlLeaseName(id), e.svc.rev.holder, e.clk.Now(), crlLeaseTTL); err != nil || !ok {
		t.Fatal(ok, err)
	}
	e.clk.Advance(crlLeaseTTL)
	if ok, err := e.db.TryLease(bg, crlLeaseName(id), "other-server", e.clk.Now(), crlLeaseTTL); err != nil || !ok {
		t.Fatalf("expired lease not taken over: %v %v", ok, err)
	}
	rec, err := e.svc.getCRL(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	next := *rec
	next.Number++
	stored, err := e.svc.putCRL(bg, id, &next, e.clk.Now())
	if err != nil || stored {
		t.Fatalf("putCRL after losing the lease: stored %v, %v", stored, err)
	}
	if n := e.crlNumberOf(ca); n != 1 {
		t.Fatalf("CRL number %d, want 1", n)
	}
}

// Two servers on one database (PostgreSQL under OPENPCA_TEST_DATABASE,
// else two services on one SQLite file), with GETs and scheduler passes
// racing on both after a revocation, sign exactly one new CRL.
func TestCRLSignOnceAcrossServers(t *testing.T) {
	cfg := Config{PublicBaseURL: base, CRLCheckInterval: time.Hour, CRLDebounce: time.Hour}
	e := newEnv(t, cfg)
	other := &env{t: t, dir: e.dir, clk: e.clk, cfg: cfg}
	other.open()
	t.Cleanup(other.close)
	ca := e.revRoot(crlOn(nil))
	id := caIDOf(ca)
	for round := range 5 {
		e.fetchCRL(ca)
		before := e.crlNumberOf(ca)
		a, _ := e.leaf(ca, "a.example.com")
		if err := e.revoke(ca, serialOf(a), "KEY_COMPROMISE"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 8 {
			svc := []*Service{e.svc, other.svc}[i%2]
			wg.Go(func() {
				if i%4 == 3 {
					svc.publishOne(bg, id)
					return
				}
				if _, err := svc.CRL(bg, id, "/crl/"+id+".crl"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := e.crlNumberOf(ca); n != before+1 {
			t.Fatalf("round %d: CRL number %d after concurrent GETs on two servers, want %d (one signing)", round, n, before+1)
		}
	}
}
