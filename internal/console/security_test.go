package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSignInSetsSafeCookieAndHeaders(t *testing.T) {
	r := newRig(t)
	pw := r.admin(mgmt, "admin")
	b := r.browser()
	if p := b.get("/console/pca"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.hdr.Get("Location"), "/console/signin?") {
		t.Fatalf("unauthenticated page: %d %q", p.status, p.hdr.Get("Location"))
	}
	p := b.signIn(mgmt, "admin", pw)
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", p.status, excerpt(p.body))
	}
	var ck string
	for _, c := range p.hdr.Values("Set-Cookie") {
		if strings.HasPrefix(c, "openpca_console=") {
			ck = c
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/console/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %s", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Errorf("cookie over plain HTTP marked Secure: %q", ck)
	}
	home := b.get("/console/")
	if home.status != 200 || !strings.Contains(home.body, "arn:aws:iam::"+mgmt+":user/admin") {
		t.Fatalf("home: %d %s", home.status, excerpt(home.body))
	}
	csp := home.hdr.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if home.hdr.Get("X-Frame-Options") != "DENY" {
		t.Errorf("X-Frame-Options %q", home.hdr.Get("X-Frame-Options"))
	}
	if strings.Contains(home.body, "<script>") || strings.Contains(home.body, " onclick=") {
		t.Error("inline script in page")
	}
	if strings.Contains(r.log.String(), pw) {
		t.Error("the password was logged")
	}
}

func TestWrongPasswordSaysWhatAWSSays(t *testing.T) {
	r := newRig(t)
	r.admin(mgmt, "admin")
	b := r.browser()
	for _, c := range []struct{ acct, user, pw string }{
		{mgmt, "admin", "wrong-password-1"},
		{mgmt, "nobody", "wrong-password-1"},
		{"999999999999", "admin", "wrong-password-1"},
	} {
		p := b.signIn(c.acct, c.user, c.pw)
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Your authentication information is incorrect. Please try again.") {
			t.Errorf("%v: %d %s", c, p.status, excerpt(p.body))
		}
	}
	if strings.Contains(r.log.String(), "wrong-password-1") {
		t.Error("a password was logged")
	}
}

func TestCSRFTokenRequired(t *testing.T) {
	r := newRig(t)
	pw := r.admin(mgmt, "admin")
	b := r.browser()
	b.mustSignIn(mgmt, "admin", pw)
	form := func(csrf string) url.Values {
		return url.Values{"csrf": {csrf}, "type": {"ROOT"}, "key": {"EC_prime256v1"}, "cn": {"Evil Root"}}
	}
	for name, tok := range map[string]string{"missing": "", "wrong": "x" + b.csrf[1:]} {
		p := b.post("/console/pca/create", form(tok))
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "CSRF") {
			t.Errorf("%s token: %d %s", name, p.status, excerpt(p.body))
		}
	}
	// A cross-site browser says where the form came from.
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/console/pca/create", strings.NewReader(form(b.csrf).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-origin post: %d", p.status)
	}
	if list := b.get("/console/pca"); strings.Contains(list.body, "Evil Root") {
		t.Fatal("a refused form created a CA")
	}
	// The same form with the token works.
	if p := b.post("/console/pca/create", form(b.csrf)); p.status != http.StatusSeeOther {
		t.Fatalf("with token: %d %s", p.status, excerpt(p.body))
	}
}

func TestSignInThrottledPerUserAndPerClient(t *testing.T) {
	r := newRig(t)
	pw := r.admin(mgmt, "admin")
	b := r.browser()
	for i := 0; i < 5; i++ {
		if p := b.signIn(mgmt, "admin", "not-the-password"); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, p.status)
		}
	}
	// Locked: even the right password is refused, before it is checked.
	p := b.signIn(mgmt, "admin", pw)
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many failed sign-in attempts") {
		t.Fatalf("locked user: %d %s", p.status, excerpt(p.body))
	}
	r.clk.Advance(16 * time.Minute)
	if p := b.signIn(mgmt, "admin", pw); p.status != http.StatusSeeOther {
		t.Fatalf("after the lock: %d %s", p.status, excerpt(p.body))
	}

	// Per client: guesses spread over many user names lock the address.
	c := r.browser()
	for i := 0; i < 20; i++ {
		c.signIn(mgmt, "user"+string(rune('a'+i)), "guess")
	}
	if p := c.signIn(mgmt, "admin", pw); p.status != http.StatusTooManyRequests {
		t.Fatalf("locked client address: %d %s", p.status, excerpt(p.body))
	}
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	r := newRig(t)
	pw := r.admin(mgmt, "admin")
	b := r.browser()
	b.mustSignIn(mgmt, "admin", pw)
	r.clk.Advance(59 * time.Minute)
	if p := b.get("/console/"); p.status != 200 {
		t.Fatalf("within idle time: %d", p.status)
	}
	r.clk.Advance(61 * time.Minute)
	if p := b.get("/console/"); p.status != http.StatusSeeOther || !strings.Contains(p.hdr.Get("Location"), "why=expired") {
		t.Fatalf("idle session: %d %q", p.status, p.hdr.Get("Location"))
	}
	// Absolute: activity every 50 minutes does not keep a session past 12 h.
	b.mustSignIn(mgmt, "admin", pw)
	for i := 1; i <= 16; i++ {
		r.clk.Advance(50 * time.Minute)
		p := b.get("/console/")
		live := time.Duration(i)*50*time.Minute <= 12*time.Hour
		if live && p.status != 200 {
			t.Fatalf("expired early after %d steps: %d", i, p.status)
		}
		if !live {
			if p.status != http.StatusSeeOther {
				t.Fatalf("alive after %v", time.Duration(i)*50*time.Minute)
			}
			return
		}
	}
	t.Fatal("session outlived its absolute limit")
}

func TestSignOutEndsTheSession(t *testing.T) {
	r := newRig(t)
	pw := r.admin(mgmt, "admin")
	b := r.browser()
	b.mustSignIn(mgmt, "admin", pw)
	old := b.c.Jar.Cookies(mustURL(r.srv.URL + "/console/"))
	if p := b.post("/console/signout", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", p.status)
	}
	// Replaying the old cookie finds no session.
	c := r.browser()
	c.c.Jar.SetCookies(mustURL(r.srv.URL+"/console/"), old)
	if p := c.get("/console/"); p.status != http.StatusSeeOther {
		t.Fatalf("old cookie still works: %d", p.status)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestSafeRedirectAfterSignIn(t *testing.T) {
	r := newRig(t)
	pw := r.admin(mgmt, "admin")
	b := r.browser()
	for next, want := range map[string]string{"/console/acm": "/console/acm", "https://evil.example/": "/console/", "//evil.example/console/": "/console/"} {
		p := b.post("/console/signin", url.Values{"account": {mgmt}, "username": {"admin"}, "password": {pw}, "next": {next}, "csrf": nil})
		if p.hdr.Get("Location") != want {
			t.Errorf("next %q: redirected to %q", next, p.hdr.Get("Location"))
		}
	}
}

func TestSignInAgainReplacesTheSession(t *testing.T) {
	r := newRig(t)
	pw := r.admin(mgmt, "admin")
	b := r.browser()
	b.mustSignIn(mgmt, "admin", pw)
	old := b.c.Jar.Cookies(mustURL(r.srv.URL + "/console/"))
	b.mustSignIn(mgmt, "admin", pw)
	c := r.browser()
	c.c.Jar.SetCookies(mustURL(r.srv.URL+"/console/"), old)
	if p := c.get("/console/"); p.status != http.StatusSeeOther {
		t.Fatalf("the earlier session survived a new sign-in: %d", p.status)
	}
	if p := b.get("/console/"); p.status != 200 {
		t.Fatalf("new session: %d", p.status)
	}
}

func TestCraftedLinkCannotPutWordsOnAPage(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	b.mustSignIn(mgmt, "admin", r.admin(mgmt, "admin"))
	const lie = "Your account is suspended: call +1 555 0100"
	for _, q := range []string{"?done=" + url.QueryEscape(lie), "?done=" + url.QueryEscape(lie) + "&ds=AAAA"} {
		if p := b.get("/console/" + q); strings.Contains(p.body, "suspended") {
			t.Fatalf("forged message shown for %s", q)
		}
	}
	// A real action's message is shown.
	p := b.post("/console/iam/create", url.Values{"kind": {"group"}, "name": {"ops"}})
	if got := b.follow(p); !strings.Contains(got.body, `<div class="flash">Created.</div>`) {
		t.Fatalf("genuine message missing: %s", excerpt(got.body))
	}
}
