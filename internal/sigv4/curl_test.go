package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/clock"
)

// curlWithSigV4 returns curl's path, skipping when it cannot sign.
func curlWithSigV4(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed; skipping the curl --aws-sigv4 interoperability test")
	}
	help, err := exec.Command(path, "--help", "all").CombinedOutput()
	if err != nil || !strings.Contains(string(help), "--aws-sigv4") {
		t.Skip("curl lacks --aws-sigv4 (needs curl >= 7.75); skipping the interoperability test")
	}
	return path
}

// TestCurl checks requests signed by curl --aws-sigv4 on a real HTTP server
// (curl signs with the wall clock, so the verifier uses clock.Real).
func TestCurl(t *testing.T) {
	curl := curlWithSigV4(t)

	// The handler only captures; verification runs on the test goroutine.
	type captured struct {
		r    *http.Request
		body []byte
		err  error
	}
	results := make(chan captured, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		results <- captured{r.Clone(context.Background()), body, err}
	}))
	defer srv.Close()

	// curl 7.88 signs the query string in the order given instead of
	// sorting it (newer curl sorts), so queries here are already in
	// canonical order; AWS would reject the unsorted form just as we do.
	cases := []struct {
		name       string
		args       []string
		path       string
		secret     string
		wantKind   ErrorKind
		wantSigned string // a header curl must have signed
	}{
		{name: "GET with query", path: "/?Action=ListUsers&Version=2010-05-08", wantKind: -1, wantSigned: "x-amz-date"},
		{name: "GET with ARN in query", path: "/deleteresourceshare?a=2&b=1&resourceShareArn=arn%3Aaws%3Aram%3Aus-east-1%3A123456789012%3Aresource-share%2Fabc", wantKind: -1},
		{name: "POST form body", path: "/", args: []string{"-d", "Action=ListUsers&Version=2010-05-08"}, wantKind: -1},
		{name: "POST with signed User-Agent and Content-Type", path: "/",
			args:     []string{"-H", "User-Agent: aws-cli/2.15.0  Python/3.11", "-H", "Content-Type: application/x-www-form-urlencoded; charset=utf-8", "--data-binary", "Action=GetUser&Version=2010-05-08&UserName=alice"},
			wantKind: -1, wantSigned: "user-agent"},
		{name: "wrong secret", path: "/?Action=ListUsers", secret: testSecret + "x", wantKind: SignatureMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			secret := testSecret
			if c.secret != "" {
				secret = c.secret
			}
			args := append([]string{"-sS", "-o", "/dev/null", "--aws-sigv4", "aws:amz:us-east-1:iam", "--user", testAKID + ":" + testSecret}, c.args...)
			args = append(args, srv.URL+c.path)
			if out, err := exec.Command(curl, args...).CombinedOutput(); err != nil {
				t.Fatalf("curl: %v\n%s", err, out)
			}
			got := <-results
			if got.err != nil {
				t.Fatalf("read body: %v", got.err)
			}
			auth, err := ParseAuthorization(got.r.Header.Get("Authorization"))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			err = (&Verifier{Clock: clock.Real{}}).Verify(got.r, got.body, auth, secrets(secret, ""))
			if kindOf(err) != c.wantKind {
				t.Fatalf("Verify = %v (kind %d), want kind %d", err, kindOf(err), c.wantKind)
			}
			if c.wantSigned != "" {
				found := false
				for _, h := range auth.SignedHeaders {
					found = found || h == c.wantSigned
				}
				if !found {
					t.Fatalf("curl did not sign %q: %v", c.wantSigned, auth.SignedHeaders)
				}
			}
		})
	}
}
