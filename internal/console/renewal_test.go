package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const noSLRPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["acm:*","acm-pca:IssueCertificate","acm-pca:GetCertificate","acm-pca:DescribeCertificateAuthority"],"Resource":"*"}]}`

// renewAt is when managed renewal first tries: 60 days before a 395-day
// certificate expires.
const renewAt = (395 - 60) * 24 * time.Hour

// work runs the ACM worker d into the future, then puts the clock back
// so that sessions stay alive.
func (r *rig) work(d time.Duration) {
	r.t.Helper()
	r.clk.Advance(d)
	defer r.clk.Advance(-d)
	if _, err := r.app.ACM.RunDue(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

// TestSLRFailureShownAndFixedFromTheIAMPage is the third run: B's
// user lacks iam:CreateServiceLinkedRole, so the renewal is not set up and
// the certificate says why and who can fix it; B's administrator creates
// the role from the IAM page and the next renewal succeeds.
func TestSLRFailureShownAndFixedFromTheIAMPage(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	ca := createRootCA(t, a, "Renewal Root")
	bID := r.account("b")
	if p := a.post("/console/pca/policy", url.Values{"arn": {ca}, "op": {"save"}, "policy": {shareDoc(ca, bID)}}); p.status != http.StatusSeeOther {
		t.Fatalf("share: %d %s", p.status, excerpt(p.body))
	}

	admin := r.browser()
	admin.mustSignIn(bID, "admin", r.admin(bID, "admin"))
	for _, f := range []url.Values{
		{"kind": {"user"}, "name": {"dev"}},
	} {
		if p := admin.post("/console/iam/create", f); p.status != http.StatusSeeOther {
			t.Fatalf("create user: %d %s", p.status, excerpt(p.body))
		}
	}
	if p := admin.post("/console/iam/policy", url.Values{"kind": {"user"}, "name": {"dev"}, "op": {"put"}, "policyName": {"acm"}, "document": {noSLRPolicy}}); p.status != http.StatusSeeOther {
		t.Fatalf("inline policy: %d %s", p.status, excerpt(p.body))
	}
	if p := admin.post("/console/iam/login", url.Values{"name": {"dev"}, "op": {"create"}, "password": {"Dev-password-123!"}}); p.status != http.StatusSeeOther {
		t.Fatalf("login profile: %d %s", p.status, excerpt(p.body))
	}

	dev := r.browser()
	dev.mustSignIn(bID, "dev", "Dev-password-123!")
	p := dev.post("/console/acm/request", url.Values{"ca_arn": {ca}, "domain": {"app.b.example"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("request: %d %s", p.status, excerpt(p.body))
	}
	certPage := strings.TrimPrefix(p.hdr.Get("Location"), r.srv.URL)
	q, _ := url.ParseQuery(certPage[strings.Index(certPage, "?")+1:])
	cert := q.Get("arn")
	r.work(0)
	if d := dev.get(certPage); !strings.Contains(d.body, `id="cert-status">ISSUED`) {
		t.Fatalf("not issued: %s", excerpt(d.body))
	}
	if p := dev.post("/console/acm/export", url.Values{"arn": {cert}, "passphrase": {"export-pass"}}); p.status != 200 {
		t.Fatalf("export: %d", p.status)
	}
	// The CA's owner sees the renewal predicted to fail, fixed by the recipient.
	if h := a.get("/console/pca/ca?arn=" + url.QueryEscape(ca)); !strings.Contains(h.body, "FAILURE") || !strings.Contains(h.body, "<td>RECIPIENT</td>") {
		t.Errorf("owner's renewal health: %s", excerpt(h.body))
	}

	r.work(renewAt)
	d := dev.get(certPage)
	for _, want := range []string{"PENDING_AUTO_RENEWAL", "<strong>SLR_NOT_FOUND</strong>", "AWSServiceRoleForCertificateManager) does not exist in this account",
		"An administrator of this account: create the ACM service-linked role"} {
		if !strings.Contains(d.body, want) {
			t.Errorf("certificate page lacks %q", want)
		}
	}
	if l := dev.get("/console/acm"); !strings.Contains(l.body, "<td>PENDING_AUTO_RENEWAL SLR_NOT_FOUND</td>") {
		t.Errorf("list lacks the renewal status: %s", excerpt(l.body))
	}
	// The user may not fix it: the denial reads as IAM's.
	p = dev.post("/console/iam/slr", url.Values{})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "is not authorized to perform: iam:CreateServiceLinkedRole") {
		t.Fatalf("dev creating the role: %d %s", p.status, excerpt(p.body))
	}
	if p := admin.post("/console/iam/slr", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("admin creating the role: %d %s", p.status, excerpt(p.body))
	}
	if roles := admin.get("/console/iam?tab=roles"); !strings.Contains(roles.body, "AWSServiceRoleForCertificateManager") {
		t.Error("the role is not listed")
	}
	r.work(renewAt + 2*time.Hour)
	if d := dev.get(certPage); !strings.Contains(d.body, `<dd class="status s-SUCCESS">SUCCESS</dd>`) {
		t.Fatalf("renewal after the fix: %s", excerpt(d.body))
	}
}

func TestSwitchRoleShowsTheRoleAndActsAsIt(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	b.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	// A read-only role this account may assume.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`
	if p := b.post("/console/iam/create", url.Values{"kind": {"role"}, "name": {"Auditor"}, "trust": {trust}}); p.status != http.StatusSeeOther {
		t.Fatalf("create role: %d %s", p.status, excerpt(p.body))
	}
	if p := b.post("/console/iam/policy", url.Values{"kind": {"role"}, "name": {"Auditor"}, "op": {"attach"}, "arn": {"AWSPrivateCAReadOnly"}}); p.status != http.StatusSeeOther {
		t.Fatalf("attach: %d %s", p.status, excerpt(p.body))
	}
	p := b.post("/console/switchrole", url.Values{"account": {mgmt}, "role": {"Auditor"}, "display": {"audit"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("switch: %d %s", p.status, excerpt(p.body))
	}
	home := b.follow(p)
	if !strings.Contains(home.body, `class="role-badge" title="arn:aws:sts::`+mgmt+`:assumed-role/Auditor/admin">audit @ `+mgmt) {
		t.Fatalf("header: %s", home.body)
	}
	// As the role, writes are denied in AWS's words, naming the session.
	p = b.post("/console/pca/create", url.Values{"type": {"ROOT"}, "key": {"EC_prime256v1"}, "cn": {"As Role"}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "arn:aws:sts::"+mgmt+":assumed-role/Auditor/admin is not authorized to perform: acm-pca:CreateCertificateAuthority") {
		t.Fatalf("role create: %d %s", p.status, excerpt(p.body))
	}
	// A role that does not trust the user is refused with STS's message.
	p = b.post("/console/switchrole", url.Values{"account": {"999999999999"}, "role": {"OrganizationAccountAccessRole"}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "is not authorized to perform: sts:AssumeRole") {
		t.Fatalf("untrusted switch: %d %s", p.status, excerpt(p.body))
	}
	if p := b.post("/console/switchback", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("switch back: %d", p.status)
	}
	if home := b.get("/console/"); strings.Contains(home.body, "role-badge") {
		t.Fatal("still in the role after switching back")
	}
	// The role session ends with its credentials (one hour).
	b.post("/console/switchrole", url.Values{"account": {mgmt}, "role": {"Auditor"}})
	r.clk.Advance(59 * time.Minute)
	if home := b.get("/console/"); !strings.Contains(home.body, "role-badge") {
		t.Fatal("role session ended early")
	}
	r.clk.Advance(2 * time.Minute)
	if home := b.get("/console/"); strings.Contains(home.body, "role-badge") {
		t.Fatal("role session outlived its credentials")
	}
}
