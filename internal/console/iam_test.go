package console_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestIAMPagesManageUsersKeysAndPasswords(t *testing.T) {
	r := newRig(t)
	a := r.browser()
	a.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	ok := func(p page, what string) {
		t.Helper()
		if p.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", what, p.status, excerpt(p.body))
		}
	}
	ok(a.post("/console/iam/create", url.Values{"kind": {"user"}, "name": {"carol"}}), "create user")
	ok(a.post("/console/iam/create", url.Values{"kind": {"group"}, "name": {"pki-admins"}}), "create group")
	ok(a.post("/console/iam/policy", url.Values{"kind": {"group"}, "name": {"pki-admins"}, "op": {"attach"}, "arn": {"AWSPrivateCAFullAccess"}}), "attach to group")
	ok(a.post("/console/iam/member", url.Values{"name": {"carol"}, "group": {"pki-admins"}, "op": {"add"}}), "add to group")

	// The secret access key is shown once, on the answer to the creation.
	p := a.post("/console/iam/keys", url.Values{"name": {"carol"}, "op": {"create"}})
	m := regexp.MustCompile(`<dt>Secret access key</dt><dd><code>([^<]+)</code>`).FindStringSubmatch(p.body)
	if p.status != 200 || m == nil {
		t.Fatalf("create key: %d %s", p.status, excerpt(p.body))
	}
	secret := m[1]
	if v := a.get("/console/iam/entity?kind=user&name=carol"); strings.Contains(v.body, secret) || !strings.Contains(v.body, "pki-admins") {
		t.Fatal("the secret is shown again, or the group is missing")
	}
	if strings.Contains(r.log.String(), secret) {
		t.Error("the secret access key was logged")
	}

	// A password the account policy refuses shows IAM's error in place.
	ok(a.post("/console/iam/login", url.Values{"name": {"carol"}, "op": {"create"}, "password": {"Carol-temp-pass-1!"}, "reset": {"on"}}), "login profile")
	// AWS's console attaches IAMUserChangePassword here; the same grant inline.
	ok(a.post("/console/iam/policy", url.Values{"kind": {"user"}, "name": {"carol"}, "op": {"put"}, "policyName": {"change-password"},
		"document": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`}}), "change-password policy")
	if p := a.post("/console/iam/login", url.Values{"name": {"carol"}, "op": {"create"}, "password": {"x"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "EntityAlreadyExists") {
		t.Errorf("second login profile: %d %s", p.status, excerpt(p.body))
	}

	// Carol must change her password before anything else.
	c := r.browser()
	c.mustSignIn(mgmt, "carol", "Carol-temp-pass-1!")
	if p := c.get("/console/pca"); p.status != http.StatusSeeOther || p.hdr.Get("Location") != "/console/password" {
		t.Fatalf("reset required: %d %q", p.status, p.hdr.Get("Location"))
	}
	// Signing out needs no new password first.
	if p := r.browser(); true {
		p.mustSignIn(mgmt, "carol", "Carol-temp-pass-1!")
		if out := p.post("/console/signout", url.Values{}); out.status != http.StatusSeeOther || !strings.HasPrefix(out.hdr.Get("Location"), "/console/signin") {
			t.Fatalf("sign-out while a new password is required: %d %q", out.status, out.hdr.Get("Location"))
		}
	}
	c.get("/console/password")
	if p := c.post("/console/password", url.Values{"old": {"wrong"}, "new": {"Carol-new-pass-2!"}, "confirm": {"Carol-new-pass-2!"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "The old password is incorrect.") {
		t.Fatalf("wrong old password: %d %s", p.status, excerpt(p.body))
	}
	ok(c.post("/console/password", url.Values{"old": {"Carol-temp-pass-1!"}, "new": {"Carol-new-pass-2!"}, "confirm": {"Carol-new-pass-2!"}}), "change password")
	if p := c.get("/console/pca"); p.status != 200 {
		t.Fatalf("after the change: %d", p.status)
	}
	// Through her group she may create a CA.
	if p := c.post("/console/pca/create", url.Values{"type": {"ROOT"}, "key": {"EC_prime256v1"}, "cn": {"Carol Root"}}); p.status != http.StatusSeeOther {
		t.Fatalf("carol creates a CA: %d %s", p.status, excerpt(p.body))
	}
	ok(a.post("/console/iam/login", url.Values{"name": {"carol"}, "op": {"delete"}}), "disable console access")
	if p := r.browser().signIn(mgmt, "carol", "Carol-new-pass-2!"); p.status != http.StatusUnauthorized {
		t.Fatalf("sign-in without a login profile: %d", p.status)
	}
}

func TestCookieSecureOverTLS(t *testing.T) {
	r := newRig(t)
	pw := r.admin(mgmt, "admin")
	srv := httptest.NewTLSServer(r.app.Handler)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/console/signin",
		strings.NewReader(url.Values{"account": {mgmt}, "username": {"admin"}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ck := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(ck, "; Secure") || !strings.Contains(ck, "HttpOnly") {
		t.Fatalf("%d %q", resp.StatusCode, ck)
	}
}
