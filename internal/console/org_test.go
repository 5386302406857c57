package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func orgShareDoc(ca, orgID string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"issue","Effect":"Allow","Principal":"*","Action":"acm-pca:IssueCertificate","Resource":"` + ca + `",` +
		`"Condition":{"StringEquals":{"acm-pca:TemplateArn":"` + tmplV1 + `","aws:PrincipalOrgID":"` + orgID + `"}}},` +
		`{"Sid":"read","Effect":"Allow","Principal":"*","Action":["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags"],"Resource":"` + ca + `",` +
		`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + orgID + `"}}}]}`
}

// TestOrganizationShareThroughSwitchRole: the management account's
// administrator builds an organization from the Organizations page, shares
// a CA with the whole organization, switches into the new member account
// (OrganizationAccountAccessRole) and requests a certificate there at once.
func TestOrganizationShareThroughSwitchRole(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	if p := a.get("/console/org"); !strings.Contains(p.body, "Create an organization") {
		t.Fatalf("org page without an organization: %s", excerpt(p.body))
	}
	if p := a.post("/console/org/create", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("create org: %d %s", p.status, excerpt(p.body))
	}
	p := a.post("/console/org/account", url.Values{"name": {"member"}, "email": {"member@example.com"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create account: %d %s", p.status, excerpt(p.body))
	}
	page := a.follow(p)
	m := regexp.MustCompile(`SUCCEEDED: (\d{12})`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no new account in %s", page.body)
	}
	member := m[1]
	orgID := regexp.MustCompile(`Organization <code>(o-[a-z0-9]+)</code>`).FindStringSubmatch(page.body)
	root := regexp.MustCompile(`<code>(r-[a-z0-9]+)</code>`).FindStringSubmatch(page.body)
	if orgID == nil || root == nil || !strings.Contains(page.body, member) {
		t.Fatalf("tree: %s", page.body)
	}
	// An OU, and the member moved into it.
	if p := a.post("/console/org/ou", url.Values{"parent": {root[1]}, "name": {"Workloads"}}); p.status != http.StatusSeeOther {
		t.Fatalf("create OU: %d %s", p.status, excerpt(p.body))
	}
	ou := regexp.MustCompile(`<strong>Workloads</strong> <code>(ou-[a-z0-9-]+)</code>`).FindStringSubmatch(a.get("/console/org").body)
	if ou == nil {
		t.Fatal("OU not in the tree")
	}
	if p := a.post("/console/org/move", url.Values{"account": {member}, "from": {root[1]}, "to": {ou[1]}}); p.status != http.StatusSeeOther {
		t.Fatalf("move: %d %s", p.status, excerpt(p.body))
	}
	tree := a.get("/console/org").body
	if !regexp.MustCompile(`(?s)<strong>Workloads</strong>.*?` + member).MatchString(tree) {
		t.Error("member not under the OU")
	}
	if p := a.post("/console/org/access", url.Values{"service": {"ram.amazonaws.com"}, "op": {"enable"}}); p.status != http.StatusSeeOther {
		t.Fatalf("trusted access: %d %s", p.status, excerpt(p.body))
	}
	if !strings.Contains(a.get("/console/org").body, "<td>ram.amazonaws.com</td>") {
		t.Error("trusted access not listed")
	}

	ca := createRootCA(t, a, "Org Root")
	if p := a.post("/console/pca/policy", url.Values{"arn": {ca}, "op": {"save"}, "policy": {orgShareDoc(ca, orgID[1])}}); p.status != http.StatusSeeOther {
		t.Fatalf("org share: %d %s", p.status, excerpt(p.body))
	}
	if p := a.post("/console/switchrole", url.Values{"account": {member}, "role": {"OrganizationAccountAccessRole"}, "display": {"member-admin"}}); p.status != http.StatusSeeOther {
		t.Fatalf("switch into the member: %d %s", p.status, excerpt(p.body))
	}
	p = a.post("/console/acm/request", url.Values{"ca_arn": {ca}, "domain": {"svc.member.example"}})
	if p.status != http.StatusSeeOther || !strings.Contains(p.hdr.Get("Location"), "%3A"+member+"%3Acertificate") {
		t.Fatalf("request in the member account: %d %q %s", p.status, p.hdr.Get("Location"), excerpt(p.body))
	}
	r.work(0)
	if d := a.follow(p); !strings.Contains(d.body, `id="cert-status">ISSUED`) {
		t.Fatalf("member's certificate: %s", excerpt(d.body))
	}
}
