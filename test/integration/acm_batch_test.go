package integration

import (
	"context"
	"testing"
	"time"

	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
)

// TestACMWorkerBatchesAndLeases: one worker pass issues more requests than
// one claim batch takes, and leaves alone a row whose lease another worker
// holds until that lease expires.
func TestACMWorkerBatchesAndLeases(t *testing.T) {
	r := newACMRig(t)
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	ca := activeCA(t, r.pca(a))
	c := r.acm(a)
	const n = 70 // more than one claim batch
	arns := make([]string, n)
	for i := range arns {
		arns[i] = request(t, c, ca)
	}
	// Another worker holds the first request's lease for a minute.
	held := r.clock.Now().Add(time.Minute).UnixNano()
	if _, err := r.app.DB.ExecContext(ctx, `UPDATE acm_certificates SET lease_until=$1 WHERE arn=$2`, held, arns[0]); err != nil {
		t.Fatal(err)
	}
	n0, err := r.app.ACM.RunDue(ctx)
	if err != nil || n0 != n-1 {
		t.Fatalf("first pass worked %d certificates (%v), want %d", n0, err, n-1)
	}
	for i, arn := range arns {
		want := acmtypes.CertificateStatusIssued
		if i == 0 {
			want = acmtypes.CertificateStatusPendingValidation
		}
		if d := r.describe(c, arn); d.Status != want {
			t.Fatalf("certificate %d: %s, want %s", i, d.Status, want)
		}
	}
	// The lease expires (its worker crashed): the next pass takes the row.
	r.work(time.Minute + time.Second)
	if d := r.describe(c, arns[0]); d.Status != acmtypes.CertificateStatusIssued {
		t.Fatalf("after the lease expired: %s", d.Status)
	}
	if n1, err := r.app.ACM.RunDue(ctx); err != nil || n1 != 0 {
		t.Fatalf("nothing left to do, worked %d (%v)", n1, err)
	}
}
