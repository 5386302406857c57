package integration

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
)

// sharedRenewals prepares n exported managed certificates of one account
// on the pair's database, all due at the same renewal instant: one
// requested through server a, n-1 copies of its row under new ARNs. It
// returns the first ARN, the CA's id and the original serial.
func sharedRenewals(t *testing.T, a *rig, n int) (arn, caID, serial string) {
	t.Helper()
	ctx := context.Background()
	root := creds{key: mgmtKeyID, secret: mgmtSecret}
	ca := activeCA(t, a.pca(root))
	bID, _, bDev := outsideAccount(t, a, acmUserPolicy)
	putPolicy(t, a.pca(root), ca, accountShareDoc(ca, bID))
	arn = request(t, a.acm(bDev), ca)
	if _, err := a.app.ACM.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	export(t, a.acm(bDev), arn)
	copyACMCertificate(t, a.app.DB, arn, n-1)
	if err := a.app.DB.QueryRowContext(ctx, `SELECT serial FROM acm_certificates WHERE arn = $1`, arn).Scan(&serial); err != nil {
		t.Fatal(err)
	}
	return arn, ca[strings.LastIndex(ca, "/")+1:], serial
}

// renewalState is what the database says of the renewals: certificates
// the CA issued, and per ACM certificate of the copies its serial and
// renewal status.
type renewalState struct {
	issued  int
	serials map[string]string // ARN → serial
	status  map[string]string // ARN → renewal status
	pca     map[string]bool   // serials the CA issued, normalized
}

func readRenewals(t *testing.T, r *rig, prefix, caID string) renewalState {
	t.Helper()
	ctx := context.Background()
	st := renewalState{serials: map[string]string{}, status: map[string]string{}, pca: map[string]bool{}}
	rows, err := r.app.DB.QueryContext(ctx, `SELECT serial FROM pca_certificates WHERE ca_id = $1`, caID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		st.issued++
		st.pca[normSerial(s)] = true
	}
	rows.Close()
	rows, err = r.app.DB.QueryContext(ctx, `SELECT arn, serial, renewal_status FROM acm_certificates WHERE arn LIKE $1`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var arn, serial, status string
		if err := rows.Scan(&arn, &serial, &status); err != nil {
			t.Fatal(err)
		}
		st.serials[arn], st.status[arn] = serial, status
	}
	return st
}

func normSerial(s string) string {
	return strings.TrimLeft(strings.ToLower(strings.ReplaceAll(s, ":", "")), "0")
}

// checkRenewedOnce requires every certificate renewed (status SUCCESS, a
// serial of its own that the CA issued and that differs from orig).
func (st renewalState) checkRenewedOnce(t *testing.T, n int, orig string) {
	t.Helper()
	if len(st.serials) != n {
		t.Fatalf("%d certificates, want %d", len(st.serials), n)
	}
	seen := map[string]string{}
	for arn, s := range st.serials {
		if st.status[arn] != string(acmtypes.RenewalStatusSuccess) || s == orig {
			t.Fatalf("%s not renewed: status %q serial %s", arn, st.status[arn], s)
		}
		if other, dup := seen[s]; dup {
			t.Fatalf("%s and %s share serial %s", arn, other, s)
		}
		seen[s] = arn
		if !st.pca[normSerial(s)] {
			t.Fatalf("%s has serial %s that the CA never issued", arn, s)
		}
	}
}

// 1,000 managed certificates come due with both servers' clocks advanced
// and both renewal workers running at once: each is renewed exactly once
// (the CA issued exactly 1,000 new certificates, and each ARN holds a
// distinct one of them).
func TestSharedDatabaseACMRenewalsOnce(t *testing.T) {
	a, b := sharedPair(t)
	const n = 1000
	arn, caID, orig := sharedRenewals(t, a, n)
	before := readRenewals(t, a, arn, caID).issued
	a.clock.Advance(renewAt)
	b.clock.Advance(renewAt)
	var wg sync.WaitGroup
	worked := make([]int, 2)
	for i, r := range []*rig{a, b} {
		wg.Go(func() {
			w, err := r.app.ACM.RunDue(context.Background())
			if err != nil {
				t.Error(err)
			}
			worked[i] = w
		})
	}
	wg.Wait()
	a.clock.Advance(-renewAt)
	b.clock.Advance(-renewAt)
	t.Logf("server a renewed %d, server b %d", worked[0], worked[1])
	if worked[0]+worked[1] != n || worked[0] == 0 || worked[1] == 0 {
		t.Fatalf("workers renewed %d + %d, want %d shared by both", worked[0], worked[1], n)
	}
	st := readRenewals(t, b, arn, caID)
	if got := st.issued - before; got != n {
		t.Fatalf("the CA issued %d certificates for %d renewals", got, n)
	}
	st.checkRenewedOnce(t, n, orig)
}

// A server killed in the middle of a renewal pass leaves its leased
// certificates to the other server, which renews them once their lease
// has expired on its clock, and not before. In-process the kill is
// simulated: the worker's context is cancelled and the server's database
// handle closed under it, so no lease is released and the batch in
// flight is never stored (as after SIGKILL).
func TestSharedDatabaseACMRenewalAfterServerDies(t *testing.T) {
	a, b := sharedPair(t)
	const n = 300
	arn, caID, orig := sharedRenewals(t, a, n)
	before := readRenewals(t, b, arn, caID).issued
	a.clock.Advance(renewAt)
	b.clock.Advance(renewAt)
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = a.app.ACM.RunDue(ctx) // fails once killed
	}()
	// Kill a while it is signing: some renewals issued, fewer than all.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if issued := readRenewals(t, b, arn, caID).issued - before; issued >= 80 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server a renewed nothing")
		}
	}
	kill()
	a.app.DB.DB.Close()
	<-done

	now := b.clock.Now()
	var leased int
	if err := b.app.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM acm_certificates
		WHERE arn LIKE $1 AND lease_until > $2 AND serial = $3`, arn+"%", now.UnixNano(), orig).Scan(&leased); err != nil {
		t.Fatal(err)
	}
	if leased == 0 {
		t.Fatal("the killed server left no leased certificate behind")
	}
	if _, err := b.app.ACM.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := readRenewals(t, b, arn, caID)
	pending := 0
	for _, s := range st.serials {
		if s == orig {
			pending++
		}
	}
	if pending != leased {
		t.Fatalf("%d certificates left before the lease expired, want the %d leased by the killed server", pending, leased)
	}
	b.clock.Advance(time.Minute) // past the 30 s lease
	if _, err := b.app.ACM.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(-renewAt - time.Minute)
	st = readRenewals(t, b, arn, caID)
	st.checkRenewedOnce(t, n, orig)
	t.Logf("killed with %d certificates leased; the CA issued %d certificates for %d renewals (signed by the dead server, never stored: %d)",
		leased, st.issued-before, n, st.issued-before-n)
}
