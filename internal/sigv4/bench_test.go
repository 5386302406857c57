package sigv4

import (
	"net/http"
	"testing"
)

// benchRequest is an SDK-signed awsJson POST (~300 B body; signs
// content-length, content-type, host, x-amz-date, x-amz-target) as the
// server sees it.
func benchRequest(b *testing.B) (*http.Request, []byte) {
	b.Helper()
	r, body := buildSigned(b, oracleCases()[0], signSDK, testNow)
	auth, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		b.Fatal(err)
	}
	if len(auth.SignedHeaders) != 5 {
		b.Fatalf("signed headers %v, want 5", auth.SignedHeaders)
	}
	return r, body
}

// BenchmarkSigV4Verify parses the header and verifies, as a request handler does.
func BenchmarkSigV4Verify(b *testing.B) {
	r, body := benchRequest(b)
	v := newVerifier(testNow)
	lookup := secrets(testSecret, "")
	header := r.Header.Get("Authorization")
	b.ReportAllocs()
	for b.Loop() {
		auth, err := ParseAuthorization(header)
		if err != nil {
			b.Fatal(err)
		}
		if err := v.Verify(r, body, auth, lookup); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSigV4VerifyColdKey derives the signing key on every request.
func BenchmarkSigV4VerifyColdKey(b *testing.B) {
	r, body := benchRequest(b)
	v := newVerifier(testNow)
	lookup := secrets(testSecret, "")
	header := r.Header.Get("Authorization")
	b.ReportAllocs()
	for b.Loop() {
		auth, err := ParseAuthorization(header)
		if err != nil {
			b.Fatal(err)
		}
		if err := v.verify(r, body, auth, lookup, newDerivedKey); err != nil {
			b.Fatal(err)
		}
	}
}
