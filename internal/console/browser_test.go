package console_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium (.ci/run installs it).
func chromiumPath() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir keeps the screenshots after the test (not committed):
// $OPENPCA_SCREENSHOTS, else a fresh temporary directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("OPENPCA_SCREENSHOTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "openpca-console-shots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium); the browser test needs it")
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("window-size", "1280,900"),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelC()
		cancelA()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestBrowserCaseOne plays the seed's Case 1 in headless Chromium: A's
// administrator signs in, creates and activates a root CA and shares it
// with account B through the policy editor (RAM later); B signs in,
// requests a private certificate from the shared CA, sees it ISSUED, and
// exports it with a passphrase; the downloaded key decrypts with openssl.
func TestBrowserCaseOne(t *testing.T) {
	r := newRig(t)
	ctx := newBrowser(t)
	shots := screenshotDir(t)
	aPW := r.admin(mgmt, "admin")
	bID := r.account("b")
	bPW := r.admin(bID, "admin")
	base := r.srv.URL

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\n%s", name, err, excerpt(html))
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	signIn := func(acct, pw string) {
		step("sign in "+acct,
			chromedp.Navigate(base+"/console/signin"),
			chromedp.SendKeys(chromedp.CSS("#account"), acct),
			chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.Click(chromedp.CSS("#signin")),
			chromedp.WaitVisible(chromedp.CSS(".tiles")),
		)
	}

	signIn(mgmt, aPW)
	shot("01-home")
	step("create CA",
		chromedp.Navigate(base+"/console/pca/create"),
		chromedp.SendKeys(chromedp.CSS("#ca-cn"), "Browser Root CA"),
		chromedp.Click(chromedp.CSS("#create")),
		chromedp.WaitVisible(chromedp.CSS("#install-root")),
	)
	shot("02-ca-pending")
	step("install root certificate",
		chromedp.Click(chromedp.CSS("#install-root")),
		// The pending page has the policy editor too: wait for the new page.
		chromedp.WaitVisible(chromedp.CSS("#ca-status.s-ACTIVE")),
	)
	if s := text("#ca-status"); s != "ACTIVE" {
		t.Fatalf("CA status %q", s)
	}
	ca := text("#ca-arn")
	doc := shareDoc(ca, bID)
	step("preview the share",
		chromedp.SetValue(chromedp.CSS("#policy-text"), doc),
		chromedp.Click(chromedp.CSS("#policy-preview")),
		chromedp.WaitVisible(chromedp.CSS("#preview")),
	)
	if p := text("#preview"); !strings.Contains(p, "arn:aws:iam::"+bID+":root") {
		t.Fatalf("preview does not show B gaining access: %q", p)
	}
	shot("03-policy-preview")
	step("save the share",
		chromedp.Click(chromedp.CSS("#policy-save")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	shot("04-ca-active-shared")
	step("sign out", chromedp.Click(chromedp.CSS(`form[action="/console/signout"] button`)), chromedp.WaitVisible(chromedp.CSS("#signin")))

	signIn(bID, bPW)
	step("request a certificate",
		chromedp.Navigate(base+"/console/acm/request"),
		chromedp.SendKeys(chromedp.CSS("#req-ca-arn"), ca),
		chromedp.SendKeys(chromedp.CSS("#req-domain"), "web.b.example"),
		chromedp.Click(chromedp.CSS("#request")),
		chromedp.WaitVisible(chromedp.CSS("#cert-status")),
	)
	// The ACM worker runs under Serve; here the test drives it.
	if _, err := r.app.ACM.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	step("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#export-btn")))
	if s := text("#cert-status"); s != "ISSUED" {
		t.Fatalf("certificate status %q", s)
	}
	shot("05-certificate-issued")

	downloads := t.TempDir()
	const pass = "browser export passphrase"
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	step("export",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true)})
			return err
		}),
		chromedp.SendKeys(chromedp.CSS("#passphrase"), pass),
		chromedp.Click(chromedp.CSS("#export-btn")),
	)
	var file string
	deadline := time.AfterFunc(30*time.Second, func() { t.Error("download did not complete") })
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("download canceled")
		}
	}
	deadline.Stop()
	bundle, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl not found: checking the key in Go only")
	}
	checkEncryptedKey(t, bundle, pass)

	// The other main pages, for people to look at.
	step("certificate list", chromedp.Navigate(base+"/console/acm"), chromedp.WaitVisible(chromedp.CSS("#cert-list")))
	shot("06-acm-list")
	step("iam", chromedp.Navigate(base+"/console/iam?tab=roles"), chromedp.WaitVisible(chromedp.CSS("#roles")))
	shot("07-iam-roles")
	step("sign out B", chromedp.Click(chromedp.CSS(`form[action="/console/signout"] button`)), chromedp.WaitVisible(chromedp.CSS("#signin")))
	signIn(mgmt, aPW)
	step("CA detail with B's certificate", chromedp.Navigate(base+"/console/pca/ca?arn="+url.QueryEscape(ca)), chromedp.WaitVisible(chromedp.CSS("#health")))
	if h := text("#health"); !strings.Contains(h, bID) {
		t.Errorf("renewal health lacks B's certificate: %q", h)
	}
	shot("08-ca-detail-owner")
	for _, id := range []string{"#timeline svg", "#health-chart svg"} {
		box, err := chromedp.Run(ctx, chromedp.Dimensions(chromedp.CSS(id)))
		if err != nil || box.Width < 100 || box.Height < 50 {
			t.Errorf("%s not drawn: %+v %v", id, box, err)
		}
	}
	step("org", chromedp.Navigate(base+"/console/org"), chromedp.WaitVisible(chromedp.CSS("h1")),
		chromedp.Click(chromedp.CSS(`form[action="/console/org/create"] button`)), chromedp.WaitVisible(chromedp.CSS("#tree")))
	shot("09-organizations")
}

func ptr[T any](v T) *T { return &v }
