package awsapi

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzUnsignedFormAction: peeking an unsigned form for its Action never
// loses or alters the body, and reads nothing of signed or large requests.
func FuzzUnsignedFormAction(f *testing.F) {
	f.Add("Action=GetCallerIdentity&Version=2011-06-15", false)
	f.Add("Action=%zz&&Version", false)
	f.Add(strings.Repeat("a", maxPeekedForm+1), false)
	f.Add("Action=ListUsers", true)
	f.Fuzz(func(t *testing.T, body string, signed bool) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if signed {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 x")
		}
		action, _ := unsignedFormAction(r)
		if (signed || len(body) > maxPeekedForm) && action != "" {
			t.Fatalf("peeked %q", action)
		}
		rest, err := io.ReadAll(r.Body)
		if err != nil || string(rest) != body {
			t.Fatalf("body after peeking = %q, %v", rest, err)
		}
	})
}
