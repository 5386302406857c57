package iamapi

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestUnauthenticatedErrorNamespace: an unsigned request answers in the
// XML namespace of the service its Action belongs to (STS's for STS).
func TestUnauthenticatedErrorNamespace(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct {
		action, version, ns string
		inURL               bool
	}{
		{"GetCallerIdentity", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/", false},
		{"AssumeRole", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/", true},
		{"ListUsers", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/", false},
	} {
		form := url.Values{"Action": {tc.action}, "Version": {tc.version}}.Encode()
		target, body := r.srv.URL+"/", form
		if tc.inURL {
			target, body = r.srv.URL+"/?"+form, ""
		}
		req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		resp, err := r.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), `<ErrorResponse xmlns="`+tc.ns+`">`) ||
			!strings.Contains(string(b), "<Code>MissingAuthenticationToken</Code>") {
			t.Errorf("%s: %d %s", tc.action, resp.StatusCode, b)
		}
	}
}
