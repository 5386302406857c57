package sigv4

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// jsonBody is a realistic awsJson request (~300 bytes).
var jsonBody = []byte(`{"CertificateAuthorityConfiguration":{"KeyAlgorithm":"EC_prime256v1","SigningAlgorithm":"SHA256WITHECDSA","Subject":{"Country":"US","Organization":"Example Corp","OrganizationalUnit":"Platform","CommonName":"Example Root CA"}},"CertificateAuthorityType":"ROOT","IdempotencyToken":"f3b1c2d4","Tags":[{"Key":"env","Value":"test"}]}`)

type oracleCase struct {
	name    string
	method  string
	url     string // parsed with url.Parse, so escapes in the path are kept as given
	body    []byte
	headers [][2]string // added in order; repeated names give several values
	token   string
	service string
	// innerSpaces: a header value has a run of spaces inside. The smithy
	// signer only trims (the SigV4 spec and the SDK also collapse), so it is
	// checked against the SDK only.
	innerSpaces bool
}

func oracleCases() []oracleCase {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	return []oracleCase{
		{name: "awsJson POST", method: "POST", url: "https://acm-pca.us-east-1.amazonaws.com/", body: jsonBody, service: "acm-pca",
			headers: [][2]string{{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "ACMPrivateCA.CreateCertificateAuthority"}}},
		{name: "query GET", method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", service: "iam"},
		{name: "RAM restJson path", method: "POST", url: "http://localhost:8443/createresourceshare", body: []byte(`{"name":"share"}`), service: "ram",
			headers: [][2]string{{"Content-Type", "application/json"}}},
		{name: "DELETE with ARN in query", method: "DELETE", service: "ram",
			url: "http://localhost:8443/deleteresourceshare?resourceShareArn=arn:aws:ram:us-east-1:123456789012:resource-share/7ab63972-b505-7e2a-420d-6f5d3EXAMPLE&clientToken=abc"},
		{name: "repeated keys and empty values", method: "GET", url: "http://127.0.0.1:8080/?b=2&a=z&a=1&a=&empty=&novalue&a=a%2Fb&a=a-b", service: "iam"},
		{name: "plus, percent-space and unicode in query", method: "GET", url: "http://127.0.0.1:8080/?q=a+b&r=caf%C3%A9&s=%7e&t=x%20y&u=*'()!", service: "iam"},
		{name: "path with space", method: "GET", url: "http://127.0.0.1:8080/my%20path/x", service: "ram"},
		{name: "path with unicode", method: "GET", url: "http://127.0.0.1:8080/caf%C3%A9/%E2%9C%93", service: "ram"},
		{name: "path with escaped slash and reserved", method: "GET", url: "http://127.0.0.1:8080/a%2Fb/c:d@e!f$g+h=i", service: "ram"},
		{name: "empty path", method: "GET", url: "http://127.0.0.1:8080?Action=GetCallerIdentity", service: "sts"},
		{name: "headers with outer spaces and several values", method: "POST", url: "http://127.0.0.1:8080/", body: []byte("x"), service: "acm",
			headers: [][2]string{{"X-Amz-Meta-One", "  padded value  "}, {"X-Amz-Meta-Multi", "first"}, {"X-Amz-Meta-Multi", " second "}, {"X-Custom", "a,b"}}},
		{name: "header with inner space runs", method: "POST", url: "http://127.0.0.1:8080/", body: []byte("x"), service: "acm", innerSpaces: true,
			headers: [][2]string{{"X-Amz-Meta-Spaces", "a    b  c"}, {"Content-Type", "application/x-amz-json-1.1;  charset=utf-8"}}},
		{name: "session token", method: "POST", url: "https://acm-pca.us-east-1.amazonaws.com/", body: jsonBody, service: "acm-pca", token: testToken,
			headers: [][2]string{{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "ACMPrivateCA.ListCertificateAuthorities"}}},
		{name: "empty body POST", method: "POST", url: "https://organizations.us-east-1.amazonaws.com/", service: "organizations",
			headers: [][2]string{{"X-Amz-Target", "AWSOrganizationsV20161128.DescribeOrganization"}}},
		{name: "large body", method: "POST", url: "https://acm-pca.us-east-1.amazonaws.com/", body: big, service: "acm-pca",
			headers: [][2]string{{"Content-Type", "application/x-amz-json-1.1"}}},
		{name: "form POST", method: "POST", url: "https://sts.amazonaws.com/", body: []byte("Action=GetCallerIdentity&Version=2011-06-15"), service: "sts",
			headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}}},
	}
}

// buildSigned builds the client request of c, signs it with sign at time at
// and returns the server's view of it.
func buildSigned(t testing.TB, c oracleCase, sign signerFunc, at time.Time) (*http.Request, []byte) {
	t.Helper()
	u, err := url.Parse(c.url)
	if err != nil {
		t.Fatalf("parse url: %v", err)
	}
	r, err := http.NewRequest(c.method, c.url, bytes.NewReader(c.body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	r.URL = u
	for _, h := range c.headers {
		r.Header.Add(h[0], h[1])
	}
	if err := sign(r, c.body, testAKID, testSecret, c.token, "us-east-1", c.service, at); err != nil {
		t.Fatalf("sign: %v", err)
	}
	return overTheWire(t, r)
}

func TestOracleDifferential(t *testing.T) {
	signers := []struct {
		name string
		sign signerFunc
	}{{"sdk", signSDK}, {"smithy", signSmithy}}
	signedAt := testNow.Add(-3 * time.Minute)

	type mutation struct {
		name string
		want ErrorKind
		// mutate may change the server-side request, body, parsed header or
		// lookup; it returns the (possibly new) body and lookup.
		mutate func(r *http.Request, body []byte, a *Authorization) []byte
		// lookup, when set, replaces the correct lookup for the case's token.
		lookup func(token string) func(string) (*Secret, error)
	}
	flipHex := func(s string) string {
		b := []byte(s)
		if b[10] == '0' {
			b[10] = '1'
		} else {
			b[10] = '0'
		}
		return string(b)
	}
	mutations := []mutation{
		{name: "unchanged", want: -1},
		{name: "body byte", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			return append(bytes.Clone(body), ' ')
		}},
		{name: "signed header value", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			// Prefer a header other than host and x-amz-date (covered below).
			for _, h := range a.SignedHeaders {
				if vals := headerValues(r.Header, h); h != "host" && h != "x-amz-date" && len(vals) > 0 {
					vals[0] += "x"
					return body
				}
			}
			r.Host += "x"
			return body
		}},
		{name: "host", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			r.Host = "evil.example.com"
			return body
		}},
		{name: "unsigned header", want: -1, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			r.Header.Set("User-Agent", "changed-after-signing/1.0")
			r.Header.Set("X-Amzn-Trace-Id", "Root=1-00000000-000000000000000000000000")
			return body
		}},
		{name: "method", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			r.Method = "PUT"
			return body
		}},
		{name: "path", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			r.RequestURI = "/other" + r.RequestURI
			return body
		}},
		{name: "query", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			r.URL.RawQuery += "&zz=1"
			return body
		}},
		{name: "date one second later", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			r.Header.Set("X-Amz-Date", signedAt.Add(time.Second).Format(amzDateFmt))
			return body
		}},
		{name: "date outside scope", want: InvalidScope, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			r.Header.Set("X-Amz-Date", signedAt.Add(-24*time.Hour).Format(amzDateFmt))
			return body
		}},
		{name: "secret", want: SignatureMismatch, lookup: func(token string) func(string) (*Secret, error) {
			return secrets(testSecret+"x", token)
		}},
		{name: "region in scope", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			a.Region = "eu-west-1"
			return body
		}},
		{name: "service in scope", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			a.Service = "kms"
			return body
		}},
		{name: "signature hex", want: SignatureMismatch, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			a.Signature = flipHex(a.Signature)
			return body
		}},
		{name: "unknown access key", want: UnknownAccessKey, mutate: func(r *http.Request, body []byte, a *Authorization) []byte {
			a.AccessKeyID = "AKIAUNKNOWN"
			return body
		}},
	}

	for _, s := range signers {
		for _, c := range oracleCases() {
			if c.innerSpaces && s.name == "smithy" {
				continue
			}
			for _, m := range mutations {
				t.Run(s.name+"/"+c.name+"/"+m.name, func(t *testing.T) {
					r, body := buildSigned(t, c, s.sign, signedAt)
					auth, err := ParseAuthorization(r.Header.Get("Authorization"))
					if err != nil {
						t.Fatalf("parse %q: %v", r.Header.Get("Authorization"), err)
					}
					lookup := secrets(testSecret, c.token)
					if m.lookup != nil {
						lookup = m.lookup(c.token)
					}
					if m.mutate != nil {
						body = m.mutate(r, body, auth)
					}
					err = newVerifier(testNow).Verify(r, body, auth, lookup)
					if got := kindOf(err); got != m.want {
						t.Fatalf("Verify = %v (kind %d), want kind %d\ncanonical request:\n%s", err, got, m.want,
							CanonicalRequest(r, auth.SignedHeaders, "<payload>"))
					}
				})
			}
		}
	}
}

// TestCanonicalRequestMatchesSDK compares our canonical request text with
// what the SDK signer computed, which pinpoints a disagreement far better
// than a failed signature.
func TestCanonicalRequestMatchesSDK(t *testing.T) {
	for _, c := range oracleCases() {
		t.Run(c.name, func(t *testing.T) {
			var sdkCanonical string
			sign := func(r *http.Request, body []byte, akid, secret, token, region, service string, at time.Time) error {
				if err := signSDK(r, body, akid, secret, token, region, service, at); err != nil {
					return err
				}
				// The SDK's canonical query is the RawQuery it writes back.
				sdkCanonical = r.URL.RawQuery
				return nil
			}
			r, _ := buildSigned(t, c, sign, testNow)
			var got []byte
			got = appendCanonicalQuery(got, r.URL.RawQuery)
			if string(got) != sdkCanonical {
				t.Fatalf("canonical query = %q, SDK wrote %q", got, sdkCanonical)
			}
			if strings.Contains(string(got), ":") || strings.Contains(string(got), "/") {
				t.Fatalf("canonical query %q has unencoded ':' or '/'", got)
			}
		})
	}
}
