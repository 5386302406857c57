package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestKnownAnswer is the worked example of AWS's SigV4 documentation
// (IAM ListUsers, 2015-08-30).
func TestKnownAnswer(t *testing.T) {
	r, err := http.NewRequest("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	signed := []string{"content-type", "host", "x-amz-date"}

	cr := CanonicalRequest(r, signed, emptyHash)
	wantCR := "GET\n/\nAction=ListUsers&Version=2010-05-08\n" +
		"content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
		"content-type;host;x-amz-date\n" + emptyHash
	if cr != wantCR {
		t.Fatalf("canonical request:\n%s\nwant:\n%s", cr, wantCR)
	}
	crSum := sha256.Sum256([]byte(cr))
	if got := hex.EncodeToString(crSum[:]); got != "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59" {
		t.Fatalf("canonical request hash %s", got)
	}
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	if got := hex.EncodeToString(SigningKey(secret, "20150830", "us-east-1", "iam")); got != "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9" {
		t.Fatalf("signing key %s", got)
	}
	sts := StringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", hex.EncodeToString(crSum[:]))
	if got := hex.EncodeToString(hmacSHA256(SigningKey(secret, "20150830", "us-east-1", "iam"), sts)); got != goodSig {
		t.Fatalf("signature %s", got)
	}

	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="+goodSig)
	v := newVerifier(time.Date(2015, 8, 30, 12, 40, 0, 0, time.UTC))
	lookup := func(id string) (*Secret, error) {
		if id == "AKIDEXAMPLE" {
			return &Secret{SecretAccessKey: secret}, nil
		}
		return nil, nil
	}
	if err := verifyWire(v, r, nil, lookup); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestSkew(t *testing.T) {
	now := time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		signedAt time.Time
		maxSkew  time.Duration
		wantMsg  string // "" means accepted
	}{
		{"now", now, 0, ""},
		{"14 min past", now.Add(-14 * time.Minute), 0, ""},
		{"14 min future", now.Add(14 * time.Minute), 0, ""},
		{"exactly 15 min past", now.Add(-15 * time.Minute), 0, ""},
		{"exactly 15 min future", now.Add(15 * time.Minute), 0, ""},
		{"16 min past", now.Add(-16 * time.Minute), 0,
			"Signature expired: 20260301T124400Z is now earlier than 20260301T124500Z (20260301T130000Z - 15 min.)"},
		{"one hour past", now.Add(-time.Hour), 0,
			"Signature expired: 20260301T120000Z is now earlier than 20260301T124500Z (20260301T130000Z - 15 min.)"},
		{"16 min future", now.Add(16 * time.Minute), 0,
			"Signature not yet current: 20260301T131600Z is still later than 20260301T131500Z (20260301T130000Z + 15 min.)"},
		{"30 min future", now.Add(30 * time.Minute), 0,
			"Signature not yet current: 20260301T133000Z is still later than 20260301T131500Z (20260301T130000Z + 15 min.)"},
		{"custom skew", now.Add(-6 * time.Minute), 5 * time.Minute,
			"Signature expired: 20260301T125400Z is now earlier than 20260301T125500Z (20260301T130000Z - 5 min.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := buildSigned(t, oracleCases()[0], signSDK, c.signedAt)
			v := newVerifier(now)
			v.MaxSkew = c.maxSkew
			err := verifyWire(v, r, body, secrets(testSecret, ""))
			if c.wantMsg == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if kindOf(err) != SignatureExpired || err.Error() != c.wantMsg {
				t.Fatalf("Verify = %v (kind %d), want SignatureExpired %q", err, kindOf(err), c.wantMsg)
			}
		})
	}
}

func TestVerifyStructure(t *testing.T) {
	signedAt := testNow.Add(-time.Minute)
	date := signedAt.Format(amzDateFmt)
	cases := []struct {
		name   string
		build  func(r *http.Request) // sets headers and signs with signManual
		lookup func(string) (*Secret, error)
		kind   ErrorKind
		msgHas string
	}{
		{name: "host not signed", kind: IncompleteSignature, msgHas: "'Host' or ':authority' must be a 'SignedHeader'", build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			signManual(r, nil, testSecret, date, []string{"x-amz-date"})
		}},
		{name: "x-amz-date not signed", kind: IncompleteSignature, msgHas: "'X-Amz-Date' must be a 'SignedHeader'", build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			signManual(r, nil, testSecret, date, []string{"host"})
		}},
		{name: "no date header", kind: IncompleteSignature, msgHas: "requires existence of either a 'X-Amz-Date' or a 'Date' header", build: func(r *http.Request) {
			signManual(r, nil, testSecret, date, []string{"host"})
		}},
		{name: "malformed x-amz-date", kind: IncompleteSignature, msgHas: "ISO-8601", build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", "2026-03-01T12:59:00Z")
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-date"})
		}},
		{name: "date header ISO form", kind: -1, build: func(r *http.Request) {
			r.Header.Set("Date", date)
			signManual(r, nil, testSecret, date, []string{"date", "host"})
		}},
		{name: "date header HTTP form", kind: -1, build: func(r *http.Request) {
			r.Header.Set("Date", signedAt.Format(http.TimeFormat))
			signManual(r, nil, testSecret, date, []string{"date", "host"})
		}},
		{name: "date header not signed", kind: IncompleteSignature, msgHas: "'Date' must be a 'SignedHeader'", build: func(r *http.Request) {
			r.Header.Set("Date", date)
			signManual(r, nil, testSecret, date, []string{"host"})
		}},
		{name: "scope date differs", kind: InvalidScope, msgHas: "Credential should be scoped to a valid date", build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			signManual(r, nil, testSecret, "20260228T235959Z", []string{"host", "x-amz-date"})
		}},
		{name: "lookup error passed through", kind: -1, msgHas: "store down", lookup: func(string) (*Secret, error) { return nil, errors.New("store down") },
			build: func(r *http.Request) {
				r.Header.Set("X-Amz-Date", date)
				signManual(r, nil, testSecret, date, []string{"host", "x-amz-date"})
			}},
		{name: "unknown key", kind: UnknownAccessKey, msgHas: "The security token included in the request is invalid.", lookup: func(string) (*Secret, error) { return nil, nil },
			build: func(r *http.Request) {
				r.Header.Set("X-Amz-Date", date)
				signManual(r, nil, testSecret, date, []string{"host", "x-amz-date"})
			}},
		{name: "token for a key without one", kind: UnknownAccessKey, msgHas: "security token", build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("X-Amz-Security-Token", testToken)
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-date", "x-amz-security-token"})
		}},
		{name: "token missing", kind: UnknownAccessKey, msgHas: "security token", lookup: secrets(testSecret, testToken), build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-date"})
		}},
		{name: "token not signed", kind: UnknownAccessKey, msgHas: "security token", lookup: secrets(testSecret, testToken), build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("X-Amz-Security-Token", testToken)
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-date"})
		}},
		{name: "token differs", kind: UnknownAccessKey, msgHas: "security token", lookup: secrets(testSecret, testToken), build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("X-Amz-Security-Token", testToken+"x")
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-date", "x-amz-security-token"})
		}},
		{name: "token correct", kind: -1, lookup: secrets(testSecret, testToken), build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("X-Amz-Security-Token", testToken)
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-date", "x-amz-security-token"})
		}},
		{name: "content sha256 matches", kind: -1, build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-content-sha256", "x-amz-date"})
		}},
		{name: "content sha256 differs", kind: SignatureMismatch, msgHas: "x-amz-content-sha256", build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-content-sha256", "x-amz-date"})
		}},
		{name: "unsigned payload", kind: SignatureMismatch, msgHas: "Unsigned", build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-content-sha256", "x-amz-date"})
		}},
		{name: "signed header absent from request", kind: SignatureMismatch, msgHas: "does not match the signature you provided", build: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", date)
			r.Header.Set("X-Amz-Target", "ACMPrivateCA.ListTags")
			signManual(r, nil, testSecret, date, []string{"host", "x-amz-date", "x-amz-target"})
			r.Header.Del("X-Amz-Target")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := http.NewRequest("GET", "http://localhost:8443/?Action=ListUsers", nil)
			if err != nil {
				t.Fatal(err)
			}
			c.build(r)
			sr, body := overTheWire(t, r)
			lookup := c.lookup
			if lookup == nil {
				lookup = secrets(testSecret, "")
			}
			err = verifyWire(newVerifier(testNow), sr, body, lookup)
			if got := kindOf(err); got != c.kind {
				t.Fatalf("Verify = %v (kind %d), want kind %d", err, got, c.kind)
			}
			if c.kind == -1 && c.msgHas == "" && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.msgHas != "" && (err == nil || !strings.Contains(err.Error(), c.msgHas)) {
				t.Fatalf("Verify = %v, want a message containing %q", err, c.msgHas)
			}
		})
	}
}

func TestKeyCacheBounded(t *testing.T) {
	c := &keyCache{m: make(map[keyID]*derivedKey), max: 8}
	for i := range 20 {
		c.get("secret", "20260301", "us-east-1", fmt.Sprint("svc", i))
	}
	if n := c.len(); n > 8 {
		t.Fatalf("cache holds %d entries, bound 8", n)
	}
	a := c.get("s", "20260301", "r", "x")
	if b := c.get("s", "20260301", "r", "x"); a != b {
		t.Fatal("second get derived the key again")
	}
	// A new day evicts every older-day entry once the cache is full.
	for i := range 8 {
		c.get("secret", "20260302", "us-east-1", fmt.Sprint("svc", i))
	}
	for k := range c.m {
		if k.date != "20260302" {
			t.Fatalf("stale entry %v survived", k)
		}
	}
	if got, want := a.sign(nil, []byte("msg")), hmacSHA256(SigningKey("s", "20260301", "r", "x"), "msg"); string(got) != string(want) {
		t.Fatal("cached key signs differently from SigningKey")
	}
}

// TestVerifyConcurrent exercises the shared key cache and HMAC pools (run with -race).
func TestVerifyConcurrent(t *testing.T) {
	r, body := buildSigned(t, oracleCases()[0], signSDK, testNow)
	auth, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(testNow)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for range 50 {
				if err := v.Verify(r, body, auth, secrets(testSecret, "")); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestVerifyHandBuiltAuthorization guards against panics when callers build
// an Authorization themselves instead of parsing one.
func TestVerifyHandBuiltAuthorization(t *testing.T) {
	r, body := buildSigned(t, oracleCases()[0], signSDK, testNow)
	good, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		sig  string
		want ErrorKind
	}{
		{"long signature", good.Signature + good.Signature, SignatureMismatch},
		{"short signature", good.Signature[:10], SignatureMismatch},
		{"non-hex signature", strings.Repeat("z", 64), SignatureMismatch},
		{"empty signature", "", SignatureMismatch},
		{"good", good.Signature, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := *good
			a.Signature = c.sig
			if err := newVerifier(testNow).Verify(r, body, &a, secrets(testSecret, "")); kindOf(err) != c.want {
				t.Fatalf("Verify = %v, want kind %v", err, c.want)
			}
		})
	}
	if err := newVerifier(testNow).Verify(r, body, nil, secrets(testSecret, "")); kindOf(err) != MissingAuthentication {
		t.Fatalf("nil Authorization: %v", err)
	}
}
