package integration

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestJSONProtocolBadInput: the acm-pca endpoint answers bad requests with
// awsJson1_1 errors (X-Amzn-ErrorType and __type), and keeps serving.
func TestJSONProtocolBadInput(t *testing.T) {
	r := newRig(t, "")
	const target = "ACMPrivateCA.ListCertificateAuthorities"
	ct := "application/x-amz-json-1.1"
	cases := []struct {
		name   string
		req    rawReq
		status int
		code   string
		msg    string
	}{
		{"wrong secret", rawReq{service: "acm-pca", keyID: mgmtKeyID, secret: "x" + mgmtSecret[1:], target: target, body: []byte(`{}`)}, 400, "InvalidSignatureException", "does not match"},
		{"unknown key", rawReq{service: "acm-pca", keyID: "AKIAUNKNOWNKEY000000", secret: mgmtSecret, target: target, body: []byte(`{}`)}, 400, "UnrecognizedClientException", "security token included in the request is invalid"},
		{"16 minutes skew", rawReq{service: "acm-pca", target: target, body: []byte(`{}`), signedAt: time.Now().Add(16 * time.Minute)}, 400, "InvalidSignatureException", "Signature not yet current"},
		{"missing Authorization", rawReq{service: "acm-pca", target: target, body: []byte(`{}`), mutate: func(r *http.Request) { r.Header.Del("Authorization") }}, 400, "MissingAuthenticationTokenException", ""},
		{"malformed JSON", rawReq{service: "acm-pca", target: target, body: []byte(`{"MaxResults":`)}, 400, "SerializationException", ""},
		{"wrong JSON type", rawReq{service: "acm-pca", target: target, body: []byte(`{"MaxResults":"ten"}`)}, 400, "SerializationException", "MaxResults"},
		{"out of range", rawReq{service: "acm-pca", target: target, body: []byte(`{"MaxResults":0}`)}, 400, "ValidationException", "maxResults"},
		{"unsigned X-Amz-Target", rawReq{service: "acm-pca", body: []byte(`{}`), mutate: func(r *http.Request) { r.Header.Set("X-Amz-Target", target) }}, 400, "IncompleteSignatureException", "'X-Amz-Target' must be a 'SignedHeader'"},
		{"unknown operation", rawReq{service: "acm-pca", target: "ACMPrivateCA.Teleport", body: []byte(`{}`)}, 400, "UnknownOperationException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.contentType = ct
			status, hdr, body := r.send(t, tc.req)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Type == "" {
				t.Fatalf("not a JSON error body: %q", body)
			}
			if hdr.Get("X-Amzn-ErrorType") != e.Type {
				t.Fatalf("X-Amzn-ErrorType %q vs __type %q", hdr.Get("X-Amzn-ErrorType"), e.Type)
			}
			if tc.code != "" && e.Type != tc.code {
				t.Fatalf("__type %q, want %q (%s)", e.Type, tc.code, e.Message)
			}
			if tc.msg != "" && !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("message %q lacks %q", e.Message, tc.msg)
			}
		})
	}
	status, _, body := r.send(t, rawReq{service: "acm-pca", contentType: ct, target: target, body: []byte(`{}`)})
	if status != 200 || !strings.Contains(body, "CertificateAuthorities") {
		t.Fatalf("server stopped serving: %d %s", status, body)
	}
}

// TestIAMIsGlobal: IAM and STS answer in every served region (IAM also in
// us-east-1, where its clients sign, even when it is not served); the
// regional services only in the served ones.
func TestIAMIsGlobal(t *testing.T) {
	r := newRigIn(t, "", "eu-west-1", "eu-west-1,us-gov-west-1")
	form := "application/x-www-form-urlencoded; charset=utf-8"
	cases := []struct {
		name, service, region, body, ct, target string
		status                                  int
	}{
		{"iam in us-east-1", "iam", "us-east-1", "Action=ListUsers&Version=2010-05-08", form, "", 200},
		{"iam in a served region", "iam", "eu-west-1", "Action=ListUsers&Version=2010-05-08", form, "", 200},
		{"iam in a served gov region", "iam", "us-gov-west-1", "Action=ListUsers&Version=2010-05-08", form, "", 200},
		{"iam in a region not served", "iam", "ap-south-1", "Action=ListUsers&Version=2010-05-08", form, "", 403},
		{"sts in a served region", "sts", "us-gov-west-1", "Action=GetCallerIdentity&Version=2011-06-15", form, "", 200},
		{"acm-pca in the default region", "acm-pca", "eu-west-1", "{}", "application/x-amz-json-1.1", "ACMPrivateCA.ListCertificateAuthorities", 200},
		{"acm-pca in another served region", "acm-pca", "us-gov-west-1", "{}", "application/x-amz-json-1.1", "ACMPrivateCA.ListCertificateAuthorities", 200},
		{"acm-pca in a region not served", "acm-pca", "us-east-1", "{}", "application/x-amz-json-1.1", "ACMPrivateCA.ListCertificateAuthorities", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := r.send(t, rawReq{service: tc.service, region: tc.region, contentType: tc.ct, target: tc.target, body: []byte(tc.body)})
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.status != 200 && !strings.Contains(body, "Credential should be scoped to a valid region") {
				t.Fatalf("body %s", body)
			}
		})
	}
}
