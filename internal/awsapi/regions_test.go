package awsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/regions"
)

type whereOut struct{ Region string }

// newWhereService is a regional JSON service that answers the region the
// edge handed it; its Regions hold a region of its own, as IAM's do.
func newWhereService() *Service {
	return &Service{
		SigningName: "where", Protocol: JSON11, TargetPrefix: "Where",
		Regions: []string{"us-east-1"},
		Operations: map[string]Operation{
			"Here": Op("Here", func(_ context.Context, c *authz.Caller, _ *struct{}) (*whereOut, error) {
				return &whereOut{Region: c.Region}, nil
			}),
		},
	}
}

func whereRequest(region string) rawRequest {
	return rawRequest{service: "where", region: region, body: []byte(`{}`),
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Where.Here"}}
}

func TestRegionScopes(t *testing.T) {
	served, err := regions.ParseList("us-west-2,us-gov-east-1,cn-north-1")
	if err != nil {
		t.Fatal(err)
	}
	narrow := newHarnessConfig(t, Config{Regions: served}, newWhereService())
	every := newHarnessConfig(t, Config{}, newWhereService())
	for _, tc := range []struct {
		name   string
		h      *harness
		region string
		ok     bool
	}{
		{"served region", narrow, "us-west-2", true},
		{"served gov region", narrow, "us-gov-east-1", true},
		{"served china region", narrow, "cn-north-1", true},
		{"service's own region outside the list", narrow, "us-east-1", true},
		{"real region not served", narrow, "eu-west-1", false},
		{"every region by default", every, "ap-southeast-7", true},
		{"iso-f region by default", every, "us-isof-south-1", true},
		{"unknown region", every, "us-east-7", false},
		{"pseudo-region", every, "aws-global", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.h.do(whereRequest(tc.region))
			if !tc.ok {
				if resp.StatusCode != 400 {
					t.Fatalf("status %d, want 400; body %s", resp.StatusCode, body)
				}
				checkJSONError(t, resp, body, "InvalidSignatureException", "Credential should be scoped to a valid region, not '"+tc.region+"'.")
				return
			}
			if resp.StatusCode != 200 {
				t.Fatalf("status %d; body %s", resp.StatusCode, body)
			}
			var out whereOut
			if err := json.Unmarshal(body, &out); err != nil || out.Region != tc.region {
				t.Errorf("operation saw region %q (%v), want %q", out.Region, err, tc.region)
			}
		})
	}
	// Query services follow the same list, in their own error shape.
	req := queryRequest("Action=GetUser&Version=2010-05-08")
	req.region = "eu-west-1"
	resp, body := narrow.do(req)
	if resp.StatusCode != 403 {
		t.Fatalf("iam in an unserved region: %d %s", resp.StatusCode, body)
	}
	if code, msg := parseError(t, "awsQuery", resp, body, resp.Header.Get("X-Amzn-RequestId")); code != "SignatureDoesNotMatch" ||
		msg != "Credential should be scoped to a valid region, not 'eu-west-1'." {
		t.Errorf("got %s: %s", code, msg)
	}
	req.region = "us-gov-east-1"
	if resp, body := narrow.do(req); resp.StatusCode != 200 {
		t.Errorf("iam in a served region: %d %s", resp.StatusCode, body)
	}
}

// TestNotOffered: a request for a service this server does not serve gets
// a clear statement in the shape its protocol's clients parse.
func TestNotOffered(t *testing.T) {
	h := newHarness(t, 0)
	for _, tc := range []struct {
		name, service, ct string
		req               rawRequest
	}{
		{"awsJson1_1 (acm)", "acm", "application/x-amz-json-1.1", rawRequest{service: "acm", body: []byte(`{}`),
			header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "CertificateManager.ListCertificates"}}},
		{"restJson1 (lambda)", "lambda", "application/json", rawRequest{service: "lambda", method: "GET", path: "/2015-03-31/functions/"}},
		{"restJson1 (ram path not served)", "ram-next", "application/json", rawRequest{service: "ram-next", path: "/getresourcepolicies", body: []byte(`{}`),
			header: map[string]string{"Content-Type": "application/json"}}},
		{"awsQuery (ec2)", "ec2", "text/xml", rawRequest{service: "ec2", body: []byte("Action=DescribeInstances&Version=2016-11-15"),
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}}},
		{"restXml (s3)", "s3", "application/json", rawRequest{service: "s3", method: "GET", path: "/bucket"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do(tc.req)
			h.checkCommonHeaders(resp)
			if resp.StatusCode != http.StatusNotImplemented {
				t.Fatalf("status %d, want 501; body %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.ct {
				t.Errorf("Content-Type %q, want %q", ct, tc.ct)
			}
			proto := "json"
			if tc.ct == "text/xml" {
				proto = "awsQuery"
			}
			code, msg := parseError(t, proto, resp, body, resp.Header.Get("X-Amzn-RequestId"))
			if code != "NotImplemented" {
				t.Errorf("code %q", code)
			}
			want := "The service '" + tc.service + "' is not offered by this OpenPCA server; it offers acm-pca, iam, ram."
			if msg != want {
				t.Errorf("message %q, want %q", msg, want)
			}
		})
	}
}

// TestRESTJSON1UnservedPathAuth: a restJson1 request for an operation the
// server does not route still fails authentication with restJson1's 403s
// (RAM clients read those), not awsJson1_1's 400s.
func TestRESTJSON1UnservedPathAuth(t *testing.T) {
	h := newHarness(t, 0)
	for _, tc := range []struct {
		name   string
		mutate func(*rawRequest)
		code   string
	}{
		{"missing Authorization", func(r *rawRequest) { r.noSign = true }, "MissingAuthenticationTokenException"},
		{"garbled Authorization", func(r *rawRequest) {
			r.noSign = true
			r.header["Authorization"] = "AWS4-HMAC-SHA256 Credential=garbage"
		}, "IncompleteSignatureException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := restRequest("POST", "/getresourcepolicies", "", `{"resourceArns":[]}`)
			tc.mutate(&req)
			resp, body := h.do(req)
			if resp.StatusCode != 403 {
				t.Fatalf("status %d, want 403; body %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if code, _ := parseError(t, "json", resp, body, ""); !strings.EqualFold(code, tc.code) {
				t.Errorf("code %q, want %q", code, tc.code)
			}
		})
	}
}
