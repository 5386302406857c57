package console_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/youmark/pkcs8"
)

const tmplV1 = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"

// shareDoc is the PCA guide's cross-account share of ca with principal.
func shareDoc(ca, principal string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"read","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags"],"Resource":"` + ca + `"},` +
		`{"Sid":"issue","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":["acm-pca:IssueCertificate"],"Resource":"` + ca + `",` +
		`"Condition":{"StringEquals":{"acm-pca:TemplateArn":"` + tmplV1 + `"}}}]}`
}

var caARNRE = regexp.MustCompile(`arn=(arn%3Aaws%3Aacm-pca[^&"]+)`)

// createRootCA creates and activates a root CA through the pages.
func createRootCA(t testing.TB, b *browser, cn string) string {
	t.Helper()
	p := b.post("/console/pca/create", url.Values{"type": {"ROOT"}, "key": {"EC_prime256v1"}, "cn": {cn}, "crl": {"on"}, "crldays": {"7"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create CA: %d %s", p.status, excerpt(p.body))
	}
	m := caARNRE.FindStringSubmatch(p.hdr.Get("Location"))
	if m == nil {
		t.Fatalf("no CA ARN in %q", p.hdr.Get("Location"))
	}
	arn, _ := url.QueryUnescape(m[1])
	// The key is generated off the request path: the page shows CREATING
	// and reloads itself until the CSR is ready, as a person would see.
	d := b.follow(p)
	for deadline := time.Now().Add(30 * time.Second); strings.Contains(d.body, `id="ca-status">CREATING`) && time.Now().Before(deadline); {
		if !strings.Contains(d.body, `http-equiv="refresh"`) {
			t.Fatalf("CREATING page does not reload: %s", excerpt(d.body))
		}
		time.Sleep(20 * time.Millisecond)
		d = b.get(p.hdr.Get("Location"))
	}
	if !strings.Contains(d.body, "PENDING_CERTIFICATE") || !strings.Contains(d.body, "BEGIN CERTIFICATE REQUEST") {
		t.Fatalf("new CA page: %s", excerpt(d.body))
	}
	p = b.post("/console/pca/install", url.Values{"arn": {arn}, "years": {"10"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("install: %d %s", p.status, excerpt(p.body))
	}
	if d := b.follow(p); !strings.Contains(d.body, `id="ca-status">ACTIVE`) {
		t.Fatalf("installed CA not active: %s", excerpt(d.body))
	}
	return arn
}

// TestCaseOneThroughThePages plays the seed's Case 1 over HTTP: A's
// administrator creates and activates a root CA and shares it by policy
// (after previewing who gains access); B's administrator requests a
// private certificate from it, sees it ISSUED, and exports it with a
// passphrase that decrypts the key.
func TestCaseOneThroughThePages(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	bID := r.account("b")
	ca := createRootCA(t, a, "Case One Root")
	// The list links to the CA's page (escaped once, not twice).
	m := regexp.MustCompile(`href="(/console/pca/ca\?arn=[^"]+)"`).FindStringSubmatch(a.get("/console/pca").body)
	if m == nil {
		t.Fatal("CA list has no link to the CA")
	}
	if d := a.get(html.UnescapeString(m[1])); d.status != 200 || !strings.Contains(d.body, ca) {
		t.Fatalf("link %s: %d %s", m[1], d.status, excerpt(d.body))
	}

	// A malformed policy is refused in place, the text kept.
	p := a.post("/console/pca/policy", url.Values{"arn": {ca}, "op": {"save"}, "policy": {`{"Version":"2012-10-17","Statement":[`}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "InvalidPolicyException") || !strings.Contains(p.body, `Statement&#34;:[</textarea>`) {
		t.Fatalf("invalid policy: %d %s", p.status, excerpt(p.body))
	}
	doc := shareDoc(ca, bID)
	p = a.post("/console/pca/policy", url.Values{"arn": {ca}, "op": {"preview"}, "policy": {doc}})
	gain := regexp.MustCompile(`(?s)Gain access \((\d+)\):</strong>(.*?)</p>`).FindStringSubmatch(p.body)
	if p.status != 200 || gain == nil || !strings.Contains(gain[2], "arn:aws:iam::"+bID+":root") {
		t.Fatalf("preview: %d %s", p.status, excerpt(p.body))
	}
	if p = a.post("/console/pca/policy", url.Values{"arn": {ca}, "op": {"save"}, "policy": {doc}}); p.status != http.StatusSeeOther {
		t.Fatalf("save policy: %d %s", p.status, excerpt(p.body))
	}

	b := r.browser()
	b.mustSignIn(bID, "admin", r.admin(bID, "admin"))
	// A policy share is listed nowhere (OTHER_ACCOUNTS lists RAM shares):
	// B names the CA by its ARN.
	p = b.post("/console/acm/request", url.Values{"ca_arn": {ca}, "domain": {"svc.b.example"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("request: %d %s", p.status, excerpt(p.body))
	}
	certURL := strings.TrimPrefix(p.hdr.Get("Location"), r.srv.URL)
	certARN, _ := url.ParseQuery(certURL[strings.Index(certURL, "?")+1:])
	if _, err := r.app.ACM.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := b.get(certURL)
	if !strings.Contains(d.body, `id="cert-status">ISSUED`) {
		t.Fatalf("certificate not issued: %s", excerpt(d.body))
	}
	if l := b.get("/console/acm?status=ISSUED"); !strings.Contains(l.body, "svc.b.example") {
		t.Fatal("issued certificate not in the filtered list")
	}

	// Export: POST only, a download, the key encrypted with the passphrase.
	if g := b.get("/console/acm/export?arn=" + url.QueryEscape(certARN.Get("arn"))); g.status != http.StatusMethodNotAllowed {
		t.Errorf("GET export: %d", g.status)
	}
	// The API's constraints hold in the console too: a 3-character
	// passphrase is refused with the API's validation message, no file.
	p = b.post("/console/acm/export", url.Values{"arn": {certARN.Get("arn")}, "passphrase": {"abc"}})
	if p.status != http.StatusBadRequest || p.hdr.Get("Content-Disposition") != "" ||
		!strings.Contains(p.body, "ValidationException</strong>: 1 validation error detected:") || !strings.Contains(p.body, "length greater than or equal to 4") {
		t.Fatalf("short passphrase: %d %s", p.status, excerpt(p.body))
	}
	const pass = "correct horse battery"
	p = b.post("/console/acm/export", url.Values{"arn": {certARN.Get("arn")}, "passphrase": {pass}})
	if p.status != 200 || !strings.HasPrefix(p.hdr.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export: %d %q %s", p.status, p.hdr.Get("Content-Disposition"), excerpt(p.body))
	}
	checkEncryptedKey(t, []byte(p.body), pass)
	if strings.Contains(r.log.String(), pass) {
		t.Error("the passphrase was logged")
	}

	// The CA's owner sees the dependent certificate in renewal health.
	if h := a.get("/console/pca/ca?arn=" + url.QueryEscape(ca)); !strings.Contains(h.body, certARN.Get("arn")) {
		t.Errorf("renewal health lacks B's certificate: %s", excerpt(h.body))
	}
	if h := a.get("/console/pca/ca?arn=" + url.QueryEscape(ca)); !strings.Contains(h.body, `<section class="card chart" id="timeline"><h2>Expiry timeline</h2><svg xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("timeline not inline: %s", excerpt(h.body))
	}
	for _, svg := range []string{"/console/pca/timeline.svg", "/console/pca/health.svg"} {
		g := a.get(svg + "?arn=" + url.QueryEscape(ca))
		if g.status != 200 || g.hdr.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(g.body, "<svg") {
			t.Errorf("%s: %d %s", svg, g.status, excerpt(g.body))
		}
	}
}

// checkEncryptedKey decrypts the PKCS #8 key in bundle with pass, in Go
// and, when present, with openssl.
func checkEncryptedKey(t *testing.T, bundle []byte, pass string) {
	t.Helper()
	var key *pem.Block
	for rest := bundle; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type == "ENCRYPTED PRIVATE KEY" {
			key = blk
		}
	}
	if key == nil {
		t.Fatalf("no encrypted key in the export:\n%s", bundle)
	}
	if _, err := pkcs8.ParsePKCS8PrivateKey(key.Bytes, []byte(pass)); err != nil {
		t.Fatalf("key does not decrypt with the passphrase: %v", err)
	}
	if _, err := pkcs8.ParsePKCS8PrivateKey(key.Bytes, []byte("wrong")); err == nil {
		t.Fatal("key decrypts with a wrong passphrase")
	}
	if _, err := exec.LookPath("openssl"); err == nil {
		f := filepath.Join(t.TempDir(), "bundle.pem")
		if err := os.WriteFile(f, bundle, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("openssl", "pkey", "-in", f, "-passin", "pass:"+pass, "-noout").CombinedOutput(); err != nil {
			t.Fatalf("openssl: %v\n%s", err, out)
		}
	}
}

func TestOtherAccountCannotOpenCAPagesByURL(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	ca := createRootCA(t, a, "Private Root")
	cID := r.account("c")
	c := r.browser()
	c.mustSignIn(cID, "admin", r.admin(cID, "admin"))
	want := "User: arn:aws:iam::" + cID + ":user/admin is not authorized to perform: acm-pca:DescribeCertificateAuthority on resource: " + ca
	p := c.get("/console/pca/ca?arn=" + url.QueryEscape(ca))
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "AccessDeniedException") || !strings.Contains(p.body, want) {
		t.Fatalf("cross-account CA page: %d %s", p.status, excerpt(p.body))
	}
	if strings.Contains(p.body, "Private Root") {
		t.Fatal("the page revealed the CA's subject")
	}
	// Actions by URL are refused the same way.
	p = c.post("/console/pca/policy", url.Values{"arn": {ca}, "op": {"save"}, "policy": {shareDoc(ca, cID)}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "not authorized to perform: acm-pca:") {
		t.Fatalf("cross-account policy write: %d %s", p.status, excerpt(p.body))
	}
	if g := c.get("/console/pca/timeline.svg?arn=" + url.QueryEscape(ca)); g.status != http.StatusForbidden {
		t.Fatalf("cross-account chart: %d", g.status)
	}
}

func TestDenialShownInAWSWords(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	// The administrator makes a user with a password and no policies.
	if p := a.post("/console/iam/create", url.Values{"kind": {"user"}, "name": {"dev"}}); p.status != http.StatusSeeOther {
		t.Fatalf("create user: %d %s", p.status, excerpt(p.body))
	}
	if p := a.post("/console/iam/login", url.Values{"name": {"dev"}, "op": {"create"}, "password": {"Dev-password-123!"}}); p.status != http.StatusSeeOther {
		t.Fatalf("login profile: %d %s", p.status, excerpt(p.body))
	}
	d := r.browser()
	d.mustSignIn(mgmt, "dev", "Dev-password-123!")
	p := d.post("/console/pca/create", url.Values{"type": {"ROOT"}, "key": {"EC_prime256v1"}, "cn": {"Nope"}})
	want := "AccessDeniedException</strong>: User: arn:aws:iam::" + mgmt + ":user/dev is not authorized to perform: acm-pca:CreateCertificateAuthority"
	if p.status != http.StatusForbidden || !strings.Contains(p.body, want) {
		t.Fatalf("denied create: %d %s", p.status, excerpt(p.body))
	}
	p = d.get("/console/iam")
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "AccessDenied</strong>: User: arn:aws:iam::"+mgmt+":user/dev is not authorized to perform: iam:ListUsers") {
		t.Fatalf("denied list: %d %s", p.status, excerpt(p.body))
	}
}

func TestIssueAndRevokeFromTheCAPage(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	ca := createRootCA(t, a, "Issuing Root")
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "leaf.example"},
		DNSNames: []string{"leaf.example"}}, k)
	if err != nil {
		t.Fatal(err)
	}
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	p := a.post("/console/pca/issue", url.Values{"arn": {ca}, "csr": {csr}, "days": {"30"}})
	m := regexp.MustCompile(`Certificate issued: (arn:aws:acm-pca:[^<]+/certificate/([0-9a-f]+))`).FindStringSubmatch(p.body)
	if p.status != 200 || m == nil || !strings.Contains(p.body, `<pre id="issued">-----BEGIN CERTIFICATE-----`) {
		t.Fatalf("issue: %d %s", p.status, excerpt(p.body))
	}
	if p := a.post("/console/pca/issue", url.Values{"arn": {ca}, "csr": {"not a csr"}, "days": {"30"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="error-issue"><strong>MalformedCSRException</strong>`) {
		t.Errorf("bad CSR: %d %s", p.status, excerpt(p.body))
	}
	if p := a.post("/console/pca/revoke", url.Values{"arn": {ca}, "serial": {m[2]}, "reason": {"KEY_COMPROMISE"}}); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", p.status, excerpt(p.body))
	}
	p = a.post("/console/pca/revoke", url.Values{"arn": {ca}, "serial": {m[2]}, "reason": {"KEY_COMPROMISE"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="error-revoke"><strong>RequestAlreadyProcessedException</strong>`) {
		t.Fatalf("second revoke: %d %s", p.status, excerpt(p.body))
	}
}
