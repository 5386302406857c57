package console_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// cdp drives one headless Chromium for a test.
type cdp struct {
	t     *testing.T
	r     *rig
	ctx   context.Context
	shots string
}

func (c *cdp) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	sctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		html, _ := chromedp.Run(c.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		c.t.Fatalf("%s: %v\n%s", name, err, excerpt(html))
	}
}

func (c *cdp) shot(name string) {
	c.t.Helper()
	png, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(c.shots, name+".png"), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cdp) text(sel string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		c.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (c *cdp) signIn(acct, pw string) {
	c.step("sign in "+acct,
		chromedp.Navigate(c.r.srv.URL+"/console/signin"),
		chromedp.SendKeys(chromedp.CSS("#account"), acct),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS(".tiles")),
	)
}

func (c *cdp) signOut() {
	c.step("sign out", chromedp.Click(chromedp.CSS(`form[action="/console/signout"] button`)), chromedp.WaitVisible(chromedp.CSS("#signin")))
}

// rootCA creates and activates a root CA through the pages.
func (c *cdp) rootCA(cn string) string {
	c.step("create CA",
		chromedp.Navigate(c.r.srv.URL+"/console/pca/create"),
		chromedp.SendKeys(chromedp.CSS("#ca-cn"), cn),
		chromedp.Click(chromedp.CSS("#create")),
		chromedp.WaitVisible(chromedp.CSS("#install-root")),
		chromedp.Click(chromedp.CSS("#install-root")),
		chromedp.WaitVisible(chromedp.CSS("#ca-status.s-ACTIVE")),
	)
	return c.text("#ca-arn")
}

// share runs the RAM wizard from the CA's page.
func (c *cdp) share(ca, name, principal string, external bool, shotName string) {
	c.step("open the wizard from the CA page",
		chromedp.Navigate(c.r.srv.URL+"/console/pca/ca?arn="+url.QueryEscape(ca)),
		chromedp.Click(chromedp.CSS(`#ca-shares a[href^="/console/ram/create"]`)),
		chromedp.WaitVisible(chromedp.CSS("#share-wizard")),
		chromedp.SendKeys(chromedp.CSS("#share-name"), name),
		chromedp.SendKeys(chromedp.CSS("#share-principals"), principal),
	)
	if !external {
		c.step("organization only", chromedp.Click(chromedp.CSS("#share-external")))
	}
	c.shot(shotName)
	c.step("create the share", chromedp.Click(chromedp.CSS("#share-create")), chromedp.WaitVisible(chromedp.CSS("#share-status")))
	if s := c.text("#share-status"); s != "ACTIVE" {
		c.t.Fatalf("share status %q", s)
	}
}

// requestIssued requests a certificate from the shared CA picked in the
// form's list, drives the ACM worker and waits for ISSUED.
func (c *cdp) requestIssued(ca, domain string) {
	c.step("request a certificate",
		chromedp.Navigate(c.r.srv.URL+"/console/acm/request"),
		chromedp.WaitVisible(chromedp.CSS("#req-ca")),
	)
	if opts := c.text("#req-ca"); !strings.Contains(opts, ca) {
		c.t.Fatalf("the request form does not list the shared CA: %q", opts)
	}
	c.step("submit",
		chromedp.SetValue(chromedp.CSS("#req-ca"), ca),
		chromedp.SendKeys(chromedp.CSS("#req-domain"), domain),
		chromedp.Click(chromedp.CSS("#request")),
		chromedp.WaitVisible(chromedp.CSS("#cert-status")),
	)
	if _, err := c.r.app.ACM.RunDue(context.Background()); err != nil {
		c.t.Fatal(err)
	}
	c.step("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#export-btn")))
	if s := c.text("#cert-status"); s != "ISSUED" {
		c.t.Fatalf("certificate status %q", s)
	}
}

// export downloads the certificate with pass and returns the file.
func (c *cdp) export(pass string) []byte {
	downloads := c.t.TempDir()
	progress := chromedp.Events(c.ctx, cdpbrowser.DownloadProgress)
	c.step("export",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true)})
			return err
		}),
		chromedp.SendKeys(chromedp.CSS("#passphrase"), pass),
		chromedp.Click(chromedp.CSS("#export-btn")),
	)
	var file string
	deadline := time.AfterFunc(30*time.Second, func() { c.t.Error("download did not complete") })
	for ev, err := range progress {
		if err != nil {
			c.t.Fatal(err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			c.t.Fatal("download canceled")
		}
	}
	deadline.Stop()
	b, err := os.ReadFile(file)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// TestBrowserCaseOneRAM is the Case 1 with RAM: A shares a new
// root CA with account B through the RAM wizard; B accepts the invitation,
// requests a certificate from the CA listed as shared, sees it ISSUED and
// exports it; the key decrypts with openssl. Then the management account
// enables organization sharing and shares a CA with an OU: the member
// account, reached by switch role, requests at once, with no invitation.
func TestBrowserCaseOneRAM(t *testing.T) {
	r := newRig(t)
	c := &cdp{t: t, r: r, ctx: newBrowser(t), shots: screenshotDir(t)}
	aPW := r.admin(mgmt, "admin")
	bID := r.account("b")
	bPW := r.admin(bID, "admin")
	base := r.srv.URL

	c.signIn(mgmt, aPW)
	ca := c.rootCA("RAM Browser Root")
	c.share(ca, "case-one-to-b", bID, true, "ram-01-wizard")
	c.shot("ram-02-share-detail")
	c.step("shared by me", chromedp.Navigate(base+"/console/ram/shares"), chromedp.WaitVisible(chromedp.CSS("#share-list")))
	if l := c.text("#share-list"); !strings.Contains(l, "case-one-to-b") || !strings.Contains(l, bID) {
		t.Fatalf("share list: %q", l)
	}
	c.shot("ram-03-shared-by-me")
	c.step("CA page lists the share", chromedp.Navigate(base+"/console/pca/ca?arn="+url.QueryEscape(ca)), chromedp.WaitVisible(chromedp.CSS("#ca-shares")))
	if s := c.text("#ca-shares"); !strings.Contains(s, "case-one-to-b") {
		t.Fatalf("CA page shares: %q", s)
	}
	c.signOut()

	c.signIn(bID, bPW)
	c.step("shared with me", chromedp.Navigate(base+"/console/ram/received"), chromedp.WaitVisible(chromedp.CSS("#invitations")))
	if inv := c.text("#invitations"); !strings.Contains(inv, "case-one-to-b") || !strings.Contains(inv, ca) {
		t.Fatalf("invitation: %q", inv)
	}
	c.shot("ram-04-invitation")
	c.step("accept", chromedp.Click(chromedp.CSS(`#invitations button[value="accept"]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if res := c.text("#received-resources"); !strings.Contains(res, ca) {
		t.Fatalf("shared resources after accepting: %q", res)
	}
	c.shot("ram-05-accepted")
	c.requestIssued(ca, "web.b.example")
	c.shot("ram-06-issued")
	checkEncryptedKey(t, c.export("ram browser passphrase"), "ram browser passphrase")
	c.signOut()

	// Second run: an organization with sharing enabled and an OU share.
	// The organization is built over HTTP (its pages have their own test).
	h := r.browser()
	h.mustSignIn(mgmt, "admin", aPW)
	if p := h.post("/console/org/create", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("create org: %d %s", p.status, excerpt(p.body))
	}
	page := h.follow(h.post("/console/org/account", url.Values{"name": {"member"}, "email": {"member@example.com"}}))
	member := regexp.MustCompile(`SUCCEEDED: (\d{12})`).FindStringSubmatch(page.body)
	orgID := regexp.MustCompile(`Organization <code>(o-[a-z0-9]+)</code>`).FindStringSubmatch(page.body)
	root := regexp.MustCompile(`<code>(r-[a-z0-9]+)</code>`).FindStringSubmatch(page.body)
	if member == nil || orgID == nil || root == nil {
		t.Fatalf("organization: %s", excerpt(page.body))
	}
	h.post("/console/org/ou", url.Values{"parent": {root[1]}, "name": {"Workloads"}})
	ou := regexp.MustCompile(`<strong>Workloads</strong> <code>(ou-[a-z0-9-]+)</code>`).FindStringSubmatch(h.get("/console/org").body)
	if ou == nil {
		t.Fatal("no OU")
	}
	if p := h.post("/console/org/move", url.Values{"account": {member[1]}, "from": {root[1]}, "to": {ou[1]}}); p.status != http.StatusSeeOther {
		t.Fatalf("move: %d %s", p.status, excerpt(p.body))
	}

	c.signIn(mgmt, aPW)
	c.step("enable organization sharing", chromedp.Navigate(base+"/console/ram/settings"),
		chromedp.Click(chromedp.CSS("#enable-org-sharing")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	c.shot("ram-07-settings")
	ca2 := c.rootCA("RAM OU Root")
	ouARN := "arn:aws:organizations::" + mgmt + ":ou/" + orgID[1] + "/" + ou[1]
	c.share(ca2, "workloads-ou", ouARN, false, "ram-08-wizard-ou")
	c.step("switch role into the member",
		chromedp.Navigate(base+"/console/switchrole"),
		chromedp.SendKeys(chromedp.CSS(`input[name="account"]`), member[1]),
		chromedp.SendKeys(chromedp.CSS(`input[name="role"]`), "OrganizationAccountAccessRole"),
		chromedp.Click(chromedp.CSS(`form[action="/console/switchrole"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".tiles")),
	)
	c.step("member's shared with me", chromedp.Navigate(base+"/console/ram/received"), chromedp.WaitVisible(chromedp.CSS("#received-resources")))
	if inv := c.text("#invitations"); !strings.Contains(inv, "No pending invitations") {
		t.Errorf("an OU share in an organization with sharing enabled sent an invitation: %q", inv)
	}
	if res := c.text("#received-resources"); !strings.Contains(res, ca2) {
		t.Fatalf("member does not see the OU share's CA: %q", res)
	}
	c.shot("ram-09-member-shared-with-me")
	c.requestIssued(ca2, "svc.member.example")
	c.shot("ram-10-member-issued")
}
