package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/benchcpu"
	"github.com/openpca/openpca/internal/ram"
)

// BenchmarkPages measures server time of the main pages with many managed
// certificates from one CA in the recipient account
// ($OPENPCA_BENCH_CERTS, default 10,000) and many RAM shares of that CA
// with the recipient ($OPENPCA_BENCH_SHARES, default 1,000). Results:
// docs/benchmarks.md.
func BenchmarkPages(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("OPENPCA_BENCH_CERTS")); err == nil && v > 0 {
		n = v
	}
	r := newRig(b)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	ca := createRootCA(b, a, "Bench Root")
	bID := r.account("b")
	if p := a.post("/console/pca/policy", url.Values{"arn": {ca}, "op": {"save"}, "policy": {shareDoc(ca, bID)}}); p.status != http.StatusSeeOther {
		b.Fatalf("share: %d", p.status)
	}
	bb := r.browser()
	bb.mustSignIn(bID, "admin", r.admin(bID, "admin"))
	root := &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: bID, ARN: "arn:aws:iam::" + bID + ":root",
		PrincipalARN: "arn:aws:iam::" + bID + ":root", UserID: bID}, Region: "us-east-1"}
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := r.app.ACM.RequestCertificate(ctx, root, &acm.RequestCertificateInput{DomainName: fmt.Sprintf("h%d.b.example", i),
			CertificateAuthorityArn: ca, KeyAlgorithm: "EC_prime256v1"}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := r.app.ACM.RunDue(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d certificates requested and issued in %v", n, time.Since(start).Round(time.Millisecond))
	shares := 1000
	if v, err := strconv.Atoi(os.Getenv("OPENPCA_BENCH_SHARES")); err == nil && v >= 0 {
		shares = v
	}
	aRoot := &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: mgmt, ARN: "arn:aws:iam::" + mgmt + ":root",
		PrincipalARN: "arn:aws:iam::" + mgmt + ":root", UserID: mgmt}, Region: "us-east-1"}
	start = time.Now()
	var share string
	for i := 0; i < shares; i++ {
		out, err := r.app.RAM.CreateResourceShare(ctx, aRoot, &ram.CreateResourceShareInput{Name: fmt.Sprintf("share-%d", i),
			ResourceArns: []string{ca}, Principals: []string{bID}})
		if err != nil {
			b.Fatal(err)
		}
		share = out.ResourceShare.ResourceShareArn
		// B accepts each (RAM allows 20 pending invitations per account).
		inv, err := r.app.RAM.GetResourceShareInvitations(ctx, root, &ram.GetResourceShareInvitationsInput{ResourceShareArns: []string{share}})
		if err != nil || len(inv.ResourceShareInvitations) != 1 {
			b.Fatalf("invitation of %s: %v", share, err)
		}
		if _, err := r.app.RAM.AcceptResourceShareInvitation(ctx, root, &ram.InvitationInput{
			ResourceShareInvitationArn: inv.ResourceShareInvitations[0].ResourceShareInvitationArn}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d resource shares created in %v", shares, time.Since(start).Round(time.Millisecond))

	pages := []struct {
		name string
		as   *browser
		path string
	}{
		{"acm-list", bb, "/console/acm"},
		{"acm-list-issued", bb, "/console/acm?status=ISSUED"},
		{"acm-request-form", bb, "/console/acm/request"},
		{"pca-list", a, "/console/pca"},
		{"pca-detail", a, "/console/pca/ca?arn=" + url.QueryEscape(ca)},
		{"pca-timeline-svg", a, "/console/pca/timeline.svg?arn=" + url.QueryEscape(ca)},
		{"pca-health-svg", a, "/console/pca/health.svg?arn=" + url.QueryEscape(ca)},
		{"ram-shared-by-me", a, "/console/ram/shares"},
		{"ram-share-detail", a, "/console/ram/share?arn=" + url.QueryEscape(share)},
		{"ram-shared-with-me", bb, "/console/ram/received"},
		{"iam-users", a, "/console/iam"},
		{"home", a, "/console/"},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			u, _ := url.Parse(r.srv.URL + pg.path)
			cookies := pg.as.c.Jar.Cookies(u)
			runtime.GC() // the set-up's garbage is not this page's
			t0 := benchcpu.Process()
			for b.Loop() {
				// Straight into the handler: server time, no network.
				req := httptest.NewRequest(http.MethodGet, pg.path, nil)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				w := httptest.NewRecorder()
				r.app.Handler.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("%s: %d %s", pg.path, w.Code, excerpt(w.Body.String()))
				}
			}
			// Process CPU per page: on shared cores it moves far less than ns/op.
			b.ReportMetric(float64(benchcpu.Process()-t0)/float64(b.N), "cpu-ns/op")
		})
	}
}
