package pkihttp

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"golang.org/x/crypto/ocsp"

	"github.com/openpca/openpca/internal/pca"
)

func openssl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("openssl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestOpenSSLAcceptance is the acceptance: revoke a leaf; within
// the same second openssl's OCSP client reports it revoked with the
// reason, and the CRL fetched from the certificate's CDP lists it and
// verifies; an unrevoked leaf is good; a never-issued serial unknown.
func TestOpenSSLAcceptance(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	w := newWorld(t)
	ca, caCert := w.activeRoot()
	_, good := w.leaf(ca, "good.example.com")
	_, bad := w.leaf(ca, "bad.example.com")
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caPEM, goodPEM, badPEM := write("ca.pem", pemOf(caCert)), write("good.pem", pemOf(good)), write("bad.pem", pemOf(bad))
	if len(bad.OCSPServer) != 1 || bad.OCSPServer[0] != w.srv.URL+"/ocsp" || len(bad.CRLDistributionPoints) != 1 {
		t.Fatalf("AIA %v CDP %v", bad.OCSPServer, bad.CRLDistributionPoints)
	}
	// Fetch the CRL once so the revocation must make it regenerate.
	if resp, err := http.Get(bad.CRLDistributionPoints[0]); err != nil || resp.StatusCode != 200 {
		t.Fatalf("first CRL: %v %v", err, resp)
	}

	start := time.Now()
	w.revoke(ca, bad, "KEY_COMPROMISE")
	out := openssl(t, "ocsp", "-issuer", caPEM, "-CAfile", caPEM, "-cert", badPEM, "-url", bad.OCSPServer[0], "-resp_text")
	for _, want := range []string{badPEM + ": revoked", "Reason: keyCompromise", "Response verify OK", "OCSP Nonce"} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl ocsp output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WARNING") {
		t.Errorf("openssl warns:\n%s", out)
	}
	resp, err := http.Get(bad.CRLDistributionPoints[0])
	if err != nil {
		t.Fatal(err)
	}
	crl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("revocation to OCSP and CRL took %v", elapsed)
	}
	if resp.Header.Get("Content-Type") != "application/pkix-crl" {
		t.Errorf("CRL content type %q", resp.Header.Get("Content-Type"))
	}
	crlOut := openssl(t, "crl", "-inform", "DER", "-in", write("ca.crl", crl), "-CAfile", caPEM, "-noout", "-text")
	serial := strings.ToUpper(bad.SerialNumber.Text(16))
	if len(serial)%2 == 1 {
		serial = "0" + serial // openssl prints whole bytes
	}
	for _, want := range []string{"verify OK", "Serial Number: " + serial, "Key Compromise", "X509v3 CRL Number", "X509v3 Authority Key Identifier"} {
		if !strings.Contains(crlOut, want) {
			t.Errorf("openssl crl output lacks %q:\n%s", want, crlOut)
		}
	}

	out = openssl(t, "ocsp", "-issuer", caPEM, "-CAfile", caPEM, "-cert", goodPEM, "-url", w.srv.URL+"/ocsp")
	if !strings.Contains(out, goodPEM+": good") || !strings.Contains(out, "Response verify OK") {
		t.Errorf("good leaf:\n%s", out)
	}
	out = openssl(t, "ocsp", "-issuer", caPEM, "-CAfile", caPEM, "-serial", "0x1234567890abcdef", "-url", w.srv.URL+"/ocsp")
	if !strings.Contains(out, "0x1234567890abcdef: unknown") {
		t.Errorf("never-issued serial:\n%s", out)
	}
}

func ocspReq(t *testing.T, issuer, cert []byte) []byte {
	t.Helper()
	req, err := ocsp.CreateRequest(parseDER(t, cert), parseDER(t, issuer), &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestOCSPOverHTTP(t *testing.T) {
	w := newWorld(t)
	ca, caCert := w.activeRoot()
	_, leaf := w.leaf(ca, "a.example.com")
	req := ocspReq(t, caCert.Raw, leaf.Raw)
	std := base64.StdEncoding.EncodeToString(req)

	// A request whose base64 contains "//": ServeMux would redirect it.
	var slashy string
	for range 5000 {
		_, l := w.leaf(ca, "s.example.com")
		if b := base64.StdEncoding.EncodeToString(ocspReq(t, caCert.Raw, l.Raw)); strings.Contains(b, "//") {
			slashy = b
			break
		}
		if testing.Short() {
			break
		}
	}
	type tc struct {
		name, method, path, ctype string
		body                      []byte
		wantCode                  int
		want                      ocsp.ResponseStatus // 0 = successful
		cached                    bool
	}
	tests := []tc{
		{name: "GET base64", method: "GET", path: "/ocsp/" + std, wantCode: 200, cached: true},
		{name: "GET url-encoded", method: "GET", path: "/ocsp/" + url.PathEscape(std), wantCode: 200, cached: true},
		{name: "GET url-safe unpadded", method: "GET", path: "/ocsp/" + base64.RawURLEncoding.EncodeToString(req), wantCode: 200, cached: true},
		{name: "GET at a CNAME root", method: "GET", path: "/" + url.PathEscape(std), wantCode: 200, cached: true},
		{name: "POST", method: "POST", path: "/ocsp", ctype: "application/ocsp-request", body: req, wantCode: 200},
		{name: "POST at a CNAME root", method: "POST", path: "/", ctype: "application/ocsp-request", body: req, wantCode: 200},
		{name: "GET bad base64", method: "GET", path: "/ocsp/!!!!@@", wantCode: 200, want: ocsp.Malformed},
		{name: "GET not DER", method: "GET", path: "/ocsp/aGVsbG8=", wantCode: 200, want: ocsp.Malformed},
		{name: "GET nothing", method: "GET", path: "/ocsp", wantCode: 200, want: ocsp.Malformed},
		{name: "POST garbage", method: "POST", path: "/ocsp", body: []byte("garbage"), wantCode: 200, want: ocsp.Malformed},
		{name: "POST too large", method: "POST", path: "/ocsp", body: bytes.Repeat([]byte{0x30}, 20000), wantCode: 200, want: ocsp.Malformed},
		{name: "PUT", method: "PUT", path: "/ocsp", wantCode: 405},
		{name: "API POST at the root", method: "POST", path: "/", ctype: "application/x-amz-json-1.1", body: []byte("{}"), wantCode: 418},
		{name: "other GET", method: "GET", path: "/healthz", wantCode: 418},
	}
	if slashy != "" {
		tests = append(tests, tc{name: "GET with //", method: "GET", path: "/ocsp/" + slashy, wantCode: 200, cached: true})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(tc.method, w.srv.URL+tc.path, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("HTTP %d, want %d", resp.StatusCode, tc.wantCode)
			}
			if tc.wantCode != 200 {
				return
			}
			if resp.Header.Get("Content-Type") != "application/ocsp-response" {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
			parsed, err := ocsp.ParseResponse(body, caCert)
			if tc.want != 0 {
				re, ok := err.(ocsp.ResponseError)
				if !ok || re.Status != tc.want {
					t.Fatalf("want %v, got %v", tc.want, err)
				}
				return
			}
			if err != nil || parsed.Status != ocsp.Good {
				t.Fatalf("%v %+v", err, parsed)
			}
			if cc := resp.Header.Get("Cache-Control"); tc.cached != strings.Contains(cc, "max-age=") {
				t.Errorf("Cache-Control %q", cc)
			}
		})
	}
}

func TestCRLOverHTTP(t *testing.T) {
	w := newWorld(t)
	ca, _ := w.activeRoot()
	id := caID(ca)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/crl/" + id + ".crl", 200},
		{"/crl/00000000-0000-4000-8000-000000000000.crl", 404},
		{"/other/" + id + ".crl", 404},
		{"/crl/x.crl", 404},
	} {
		resp, err := http.Get(w.srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: HTTP %d, want %d", tc.path, resp.StatusCode, tc.want)
		}
	}
}

func TestAuditDownload(t *testing.T) {
	w := newWorld(t)
	ca, _ := w.activeRoot()
	w.leaf(ca, "a.example.com")
	out, err := w.svc.CreateCertificateAuthorityAuditReport(bg, root(acct), &pca.CreateCertificateAuthorityAuditReportInput{
		CertificateAuthorityArn: ca, S3BucketName: "my-audit", AuditReportResponseFormat: "JSON"})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		d, err := w.svc.DescribeCertificateAuthorityAuditReport(bg, root(acct), &pca.DescribeCertificateAuthorityAuditReportInput{CertificateAuthorityArn: ca, AuditReportId: out.AuditReportId})
		if err != nil {
			t.Fatal(err)
		}
		if d.AuditReportStatus == "SUCCESS" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("report status %s", d.AuditReportStatus)
		}
		time.Sleep(10 * time.Millisecond)
	}
	objURL := w.srv.URL + "/audit/my-audit/" + out.S3Key
	get := func(u, id, sec, service string) (int, []byte) {
		t.Helper()
		r, _ := http.NewRequest("GET", u, nil)
		if id != "" {
			empty := sha256.Sum256(nil)
			if err := v4.NewSigner().SignHTTP(bg, aws.Credentials{AccessKeyID: id, SecretAccessKey: sec}, r,
				hex.EncodeToString(empty[:]), service, "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	tests := []struct {
		name, url, id, secret, service string
		want                           int
	}{
		{"owner, acm-pca scope", objURL, akid, secret, "acm-pca", 200},
		{"owner, s3 scope", objURL, akid, secret, "s3", 200},
		{"unsigned", objURL, "", "", "", 403},
		{"wrong secret", objURL, akid, "nope", "acm-pca", 403},
		{"unknown key", objURL, "AKIAUNKNOWN000000000", secret, "acm-pca", 403},
		{"other account", objURL, akidB, secretB, "acm-pca", 403},
		{"other service scope", objURL, akid, secret, "iam", 403},
		{"wrong bucket", strings.Replace(objURL, "my-audit", "other", 1), akid, secret, "acm-pca", 404},
		{"no such report", w.srv.URL + "/audit/my-audit/audit-report/" + caID(ca) + "/00000000-0000-4000-8000-000000000000.json", akid, secret, "acm-pca", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(tc.url, tc.id, tc.secret, tc.service)
			if code != tc.want {
				t.Fatalf("HTTP %d, want %d: %s", code, tc.want, body)
			}
			if code == 200 && !bytes.Contains(body, []byte(`"subject":"CN=a.example.com"`)) {
				t.Errorf("report %s", body)
			}
		})
	}
}

func TestDecodeOCSPPath(t *testing.T) {
	raw := []byte{0x30, 0xfb, 0xff, 0x01}
	for _, enc := range []string{base64.StdEncoding.EncodeToString(raw), url.PathEscape(base64.StdEncoding.EncodeToString(raw)),
		base64.RawURLEncoding.EncodeToString(raw), base64.RawStdEncoding.EncodeToString(raw)} {
		if got, ok := decodeOCSPPath(enc); !ok || !bytes.Equal(got, raw) {
			t.Errorf("%q → %x %v", enc, got, ok)
		}
	}
	for _, enc := range []string{"", "%zz", "!!!!", strings.Repeat("A", 3*maxOCSPRequest)} {
		if _, ok := decodeOCSPPath(enc); ok {
			t.Errorf("%q decoded", enc)
		}
	}
}
