package console_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/console"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/server"
)

const mgmt = "111122223333"

// syncBuffer collects the server's log so tests can check no secret is in it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type rig struct {
	t   testing.TB
	app *server.App
	srv *httptest.Server
	clk *clock.Fake
	log *syncBuffer
}

func newRig(t testing.TB) *rig {
	t.Helper()
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	logs := &syncBuffer{}
	app, err := server.Open(context.Background(), server.Config{DataDir: t.TempDir(), Clock: clk,
		Logger: slog.New(slog.NewTextHandler(io.MultiWriter(logs), &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	if _, err := app.Bootstrap(context.Background(), server.BootstrapSpec{AccountID: mgmt}, srv.URL); err != nil {
		t.Fatal(err)
	}
	app.SetReady(true)
	t.Cleanup(func() {
		srv.Close()
		app.Close()
	})
	return &rig{t: t, app: app, srv: srv, clk: clk, log: logs}
}

// admin gives account a console administrator and returns its password.
func (r *rig) admin(account, user string) string {
	r.t.Helper()
	out, err := console.SetAdminPassword(context.Background(), r.app.IAM, account, "aws", user, false)
	if err != nil {
		r.t.Fatal(err)
	}
	return out.Password
}

// account creates a standalone account.
func (r *rig) account(name string) string {
	r.t.Helper()
	a, err := r.app.IAMStore.CreateAccount(context.Background(), iam.AccountSpec{Name: name, Email: name + "@example.com"})
	if err != nil {
		r.t.Fatal(err)
	}
	return a.AccountID
}

// browser is a cookie-keeping HTTP client that does not follow redirects.
type browser struct {
	r    *rig
	c    *http.Client
	csrf string
}

func (r *rig) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{r: r, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

type page struct {
	status int
	body   string
	hdr    http.Header
}

func (b *browser) do(req *http.Request) page {
	b.r.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return page{resp.StatusCode, string(body), resp.Header}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest(http.MethodGet, b.r.srv.URL+path, nil)
	return b.do(req)
}

// post sends form with the session's CSRF token unless form sets "csrf".
func (b *browser) post(path string, form url.Values) page {
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.r.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) signIn(account, user, password string) page {
	b.r.t.Helper()
	p := b.post("/console/signin", url.Values{"account": {account}, "username": {user}, "password": {password}, "csrf": nil})
	if p.status == http.StatusSeeOther {
		// Pick up the CSRF token (from the password page when one is due).
		if h := b.get("/console/"); h.status == http.StatusSeeOther {
			b.get(h.hdr.Get("Location"))
		}
	}
	return p
}

// mustSignIn signs in and fails the test unless it worked.
func (b *browser) mustSignIn(account, user, password string) {
	b.r.t.Helper()
	if p := b.signIn(account, user, password); p.status != http.StatusSeeOther {
		b.r.t.Fatalf("sign-in: %d %s", p.status, p.body)
	}
}

// follow answers the page a 303 points to.
func (b *browser) follow(p page) page {
	b.r.t.Helper()
	if p.status != http.StatusSeeOther {
		b.r.t.Fatalf("want a redirect, got %d: %s", p.status, excerpt(p.body))
	}
	return b.get(strings.TrimPrefix(p.hdr.Get("Location"), b.r.srv.URL))
}

var errorRE = regexp.MustCompile(`(?s)<div class="error"[^>]*>(.*?)</div>`)

// excerpt is the page's error box, or its start.
func excerpt(body string) string {
	if m := errorRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	if len(body) > 400 {
		return body[:400]
	}
	return body
}
