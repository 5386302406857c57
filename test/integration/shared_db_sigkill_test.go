//go:build unix

package integration

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/clock"
)

// The helper process's environment: it serves only when helperEnv is set.
const (
	helperEnv      = "OPENPCA_HELPER_PROCESS"
	helperDBEnv    = "OPENPCA_HELPER_DATABASE"
	helperClockEnv = "OPENPCA_HELPER_CLOCK"
)

// TestSharedDatabaseACMHelperProcess is not a test: it is server b of
// TestSharedDatabaseACMRenewalSIGKILL, run as a separate process of this
// test binary. It opens a server on the shared database with a fake clock
// stopped at the given instant, starts its ACM renewal worker and blocks
// until it is killed: it never stops gracefully.
func TestSharedDatabaseACMHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	at, err := time.Parse(time.RFC3339Nano, os.Getenv(helperClockEnv))
	if err != nil {
		t.Fatal(err)
	}
	app := openShared(t, t.TempDir(), os.Getenv(helperDBEnv), clock.NewFake(at))
	app.ACM.Start()
	select {}
}

// renewalProgress is what the database says of server b's pass at now:
// certificates renewed (stored), and certificates still due but leased.
func renewalProgress(t *testing.T, r *rig, prefix, orig string, now time.Time) (renewed, leased int) {
	t.Helper()
	if err := r.app.DB.QueryRowContext(context.Background(), `SELECT
		COALESCE(SUM(CASE WHEN serial <> $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN serial = $2 AND lease_until > $3 THEN 1 ELSE 0 END), 0)
		FROM acm_certificates WHERE arn LIKE $1`, prefix+"%", orig, now.UnixNano()).Scan(&renewed, &leased); err != nil {
		t.Fatal(err)
	}
	return renewed, leased
}

// holders maps each lease holder to how many of the certificates matching
// cond (on arguments $2…) it last leased.
func holders(t *testing.T, r *rig, prefix, cond string, args ...any) map[string]int {
	t.Helper()
	rows, err := r.app.DB.QueryContext(context.Background(), `SELECT lease_holder, COUNT(*) FROM acm_certificates
		WHERE arn LIKE $1 AND `+cond+` GROUP BY lease_holder`, append([]any{prefix + "%"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var h string
		var n int
		if err := rows.Scan(&h, &n); err != nil {
			t.Fatal(err)
		}
		out[h] = n
	}
	return out
}

// Issue #13's acceptance with a real kill: 1,000 managed certificates come
// due; server b, a separate process on the same PostgreSQL database, is
// killed with SIGKILL in the middle of its renewal pass, so its leases are
// never released and the batch it was signing is never stored. Server a
// then renews what b did not hold at once, b's leased certificates only
// once their lease has expired on its clock, and each certificate is
// renewed exactly once. The in-process simulation is
// TestSharedDatabaseACMRenewalAfterServerDies.
func TestSharedDatabaseACMRenewalSIGKILL(t *testing.T) {
	rigs, url := sharedRigs(t, 1)
	a := rigs[0]
	ctx := context.Background()
	const n = 1000
	arn, caID, orig := sharedRenewals(t, a, n)
	var holderA string // a issued the first certificate: its lease holder
	if err := a.app.DB.QueryRowContext(ctx, `SELECT lease_holder FROM acm_certificates WHERE arn = $1`, arn).Scan(&holderA); err != nil {
		t.Fatal(err)
	}
	before := readRenewals(t, a, arn, caID).issued

	bNow := a.clock.Now().Add(renewAt)
	// The timeout ends b should this test die without killing it.
	cmd := exec.Command(os.Args[0], "-test.run=^TestSharedDatabaseACMHelperProcess$", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), helperEnv+"=1", helperDBEnv+"="+url, helperClockEnv+"="+bNow.Format(time.RFC3339Nano))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })

	// Freeze b now and then to look at the committed state; kill it once
	// it has renewed some certificates (not all) and holds leases.
	start := time.Now()
	for deadline := start.Add(3 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("server b exited by itself: %v\n%s", waitErr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited // out is b's to write until then
			t.Fatalf("server b renewed too little in 3 minutes\n%s", out.String())
		}
		if renewed, _ := renewalProgress(t, a, arn, orig, bNow); renewed < n/4 {
			continue
		}
		if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if renewed, leased := renewalProgress(t, a, arn, orig, bNow); renewed < n && leased > 0 {
			break
		}
		if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-exited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("server b ended with %v, not by SIGKILL\n%s", waitErr, out.String())
	}
	elapsed := time.Since(start)

	// The state b left, once PostgreSQL has ended its sessions: a commit
	// already sent completes, an open transaction rolls back.
	renewedB, leased := renewalProgress(t, a, arn, orig, bNow)
	atKill := readRenewals(t, a, arn, caID).issued
	for {
		time.Sleep(300 * time.Millisecond)
		r, l := renewalProgress(t, a, arn, orig, bNow)
		i := readRenewals(t, a, arn, caID).issued
		if r == renewedB && l == leased && i == atKill {
			break
		}
		renewedB, leased, atKill = r, l, i
	}
	if renewedB == 0 || renewedB >= n || leased == 0 {
		t.Fatalf("server b killed with %d of %d renewed and %d leased, want some renewed and some leased", renewedB, n, leased)
	}
	byB := holders(t, a, arn, `serial = $2 AND lease_until > $3`, orig, bNow.UnixNano())
	if len(byB) != 1 {
		t.Fatalf("leased certificates' holders %v, want server b alone", byB)
	}
	var holderB string
	for h := range byB {
		holderB = h
	}
	if holderB == "" || holderB == holderA {
		t.Fatalf("the certificates were leased by %q, not by server b (server a is %q)", holderB, holderA)
	}
	if got := holders(t, a, arn, `serial <> $2`, orig); len(got) != 1 || got[holderB] != renewedB {
		t.Fatalf("renewed certificates' holders %v, want %d by server b %s", got, renewedB, holderB)
	}
	orphans := atKill - before - renewedB // signed by b, never stored
	if orphans < 0 || orphans > leased {
		t.Fatalf("server b made the CA issue %d certificates for %d renewals and %d leased", atKill-before, renewedB, leased)
	}

	// a at b's instant: it renews all but b's leased certificates.
	a.clock.Advance(renewAt)
	defer a.clock.Advance(-renewAt)
	if _, err := a.app.ACM.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if renewed, stillLeased := renewalProgress(t, a, arn, orig, bNow); renewed != n-leased || stillLeased != leased {
		t.Fatalf("before b's leases expired a left %d of %d unrenewed (%d leased), want the %d leased by b",
			n-renewed, n, stillLeased, leased)
	}
	// Past the 30 s lease: a takes b's certificates over.
	a.clock.Advance(time.Minute)
	defer a.clock.Advance(-time.Minute)
	if _, err := a.app.ACM.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	st := readRenewals(t, a, arn, caID)
	st.checkRenewedOnce(t, n, orig)
	if got := st.issued - atKill; got != n-renewedB {
		t.Fatalf("server a made the CA issue %d certificates for the %d renewals b left", got, n-renewedB)
	}
	if got := holders(t, a, arn, `TRUE`); got[holderB] != renewedB || got[holderA] != n-renewedB {
		t.Fatalf("certificates by last lease holder %v, want %d by b and %d by a", got, renewedB, n-renewedB)
	}
	t.Logf("server b (pid %d) SIGKILLed after %v with %d of %d renewed and %d leased (%d signed, never stored); server a renewed the other %d",
		cmd.Process.Pid, elapsed.Round(time.Millisecond), renewedB, n, leased, orphans, n-renewedB)
}
