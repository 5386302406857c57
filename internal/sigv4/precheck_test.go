package sigv4

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

// TestPrecheckThenPayload: Precheck decides everything but the signature
// without the body; VerifyPayload then agrees with Verify.
func TestPrecheckThenPayload(t *testing.T) {
	body := []byte("Action=ListUsers&Version=2010-05-08")
	build := func(at time.Time, akid string) (*http.Request, *Authorization) {
		r, err := http.NewRequest("POST", "https://iam.amazonaws.com/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := signSDK(r, body, akid, testSecret, "", "us-east-1", "iam", at); err != nil {
			t.Fatal(err)
		}
		sr, _ := overTheWire(t, r)
		auth, err := ParseAuthorization(sr.Header.Get("Authorization"))
		if err != nil {
			t.Fatal(err)
		}
		return sr, auth
	}
	v := newVerifier(testNow)
	lookup := secrets(testSecret, "")
	tests := []struct {
		name     string
		at       time.Time
		akid     string
		body     []byte
		pre, pay ErrorKind // -1: accepted
	}{
		{"good", testNow, testAKID, body, -1, -1},
		{"unknown key", testNow, "AKIANOBODYNOBODY0001", nil, UnknownAccessKey, -1},
		{"stale", testNow.Add(-time.Hour), testAKID, nil, SignatureExpired, -1},
		{"tampered body", testNow, testAKID, []byte("Action=DeleteUser"), -1, SignatureMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, auth := build(tc.at, tc.akid)
			secret, err := v.Precheck(r, auth, lookup)
			if kindOf(err) != tc.pre {
				t.Fatalf("Precheck: %v, want kind %d", err, tc.pre)
			}
			if err != nil {
				return
			}
			err = v.VerifyPayload(r, tc.body, auth, secret)
			if kindOf(err) != tc.pay {
				t.Fatalf("VerifyPayload: %v, want kind %d", err, tc.pay)
			}
			if whole := v.Verify(r, tc.body, auth, lookup); kindOf(whole) != kindOf(err) {
				t.Fatalf("Verify %v disagrees with Precheck+VerifyPayload %v", whole, err)
			}
		})
	}
}
