package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/authz"
)

// TestRenewalHealthSummaryMatchesFullHealth: the CA page's bounded
// summary (aggregate counts, the first rows to expire) says what the full
// renewal health says. A two-year CA: certificates issued now renew in
// time; those issued 200 days later would outlive the CA when renewed
// (predicted to fail); those of an RSA key from the EC CA never issue.
func TestRenewalHealthSummaryMatchesFullHealth(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	p := a.post("/console/pca/create", url.Values{"type": {"ROOT"}, "key": {"EC_prime256v1"}, "cn": {"Two Years"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, excerpt(p.body))
	}
	m := caARNRE.FindStringSubmatch(p.hdr.Get("Location"))
	ca, _ := url.QueryUnescape(m[1])
	for d := a.get(p.hdr.Get("Location")); strings.Contains(d.body, `id="ca-status">CREATING`); d = a.get(p.hdr.Get("Location")) {
		time.Sleep(20 * time.Millisecond)
	}
	if p := a.post("/console/pca/install", url.Values{"arn": {ca}, "years": {"2"}}); p.status != http.StatusSeeOther {
		t.Fatalf("install: %d %s", p.status, excerpt(p.body))
	}
	if p := a.post("/console/pca/permission", url.Values{"arn": {ca}, "op": {"create"}}); p.status != http.StatusSeeOther {
		t.Fatalf("ACM permission: %d %s", p.status, excerpt(p.body))
	}
	root := &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: mgmt, ARN: "arn:aws:iam::" + mgmt + ":root",
		PrincipalARN: "arn:aws:iam::" + mgmt + ":root", UserID: mgmt}, Region: "us-east-1"}
	ctx := context.Background()
	issue := func(n int, key string) {
		for i := 0; i < n; i++ {
			if _, err := r.app.ACM.RequestCertificate(ctx, root, &acm.RequestCertificateInput{DomainName: fmt.Sprintf("h%d.example", i),
				CertificateAuthorityArn: ca, KeyAlgorithm: key}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := r.app.ACM.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	issue(5, "EC_prime256v1")
	issue(2, "RSA_2048")
	r.clk.Advance(200 * 24 * time.Hour)
	issue(3, "EC_prime256v1")

	full, err := r.app.ACM.GetRenewalHealth(ctx, root, &acm.CertificateAuthorityArnInput{CertificateAuthorityArn: ca})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := r.app.ACM.GetRenewalHealthSummary(ctx, root, &acm.CertificateAuthorityArnInput{CertificateAuthorityArn: ca}, 4)
	if err != nil {
		t.Fatal(err)
	}
	var failures int
	for _, h := range full.Certificates {
		if h.PredictedOutcome == "FAILURE" {
			failures++
		}
	}
	if len(full.Certificates) != 8 || failures != 3 {
		t.Fatalf("full health: %d certificates, %d predicted failures; want 8 and 3: %+v", len(full.Certificates), failures, full.Certificates)
	}
	if sum.Total != 8 || sum.Predicted != failures || len(sum.NotAfters) != 8 || len(sum.Certificates) != 4 {
		t.Fatalf("summary: total %d predicted %d expiries %d rows %d", sum.Total, sum.Predicted, len(sum.NotAfters), len(sum.Certificates))
	}
	for _, h := range sum.Certificates {
		if h.PredictedOutcome != "SUCCESS" {
			t.Errorf("first to expire %s: %s %s", h.CertificateArn, h.PredictedOutcome, h.PredictedReason)
		}
	}
	// Another account's view is refused as GetRenewalHealth refuses it.
	b := &authz.Caller{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: "444455556666", ARN: "arn:aws:iam::444455556666:root",
		PrincipalARN: "arn:aws:iam::444455556666:root", UserID: "444455556666"}, Region: "us-east-1"}
	if _, err := r.app.ACM.GetRenewalHealthSummary(ctx, b, &acm.CertificateAuthorityArnInput{CertificateAuthorityArn: ca}, 4); err == nil {
		t.Fatal("another account read the CA's renewal health")
	}
}
