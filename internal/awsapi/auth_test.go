package awsapi

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"
)

// queryError is the awsQuery error body.
type queryError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// protoCase is one protocol's valid request and expected codes.
type protoCase struct {
	name string
	req  func() rawRequest
}

var protocols = []protoCase{
	{"awsJson1_1", func() rawRequest {
		return jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"`+caARN+`"}`)
	}},
	{"restJson1", func() rawRequest {
		return restRequest("POST", "/createresourceshare", "", `{"name":"s"}`)
	}},
	{"awsQuery", func() rawRequest { return queryRequest("Action=GetUser&Version=2010-05-08") }},
}

type want struct {
	code   string
	status int
}

func TestAuthFailures(t *testing.T) {
	h := newHarness(t, 0)
	tests := []struct {
		name   string
		mutate func(*rawRequest)
		want   [3]want // awsJson1_1, restJson1, awsQuery
		msg    string
	}{
		{
			name:   "wrong secret",
			mutate: func(r *rawRequest) { r.secret = "not-the-secret" },
			want:   [3]want{{"InvalidSignatureException", 400}, {"InvalidSignatureException", 403}, {"SignatureDoesNotMatch", 403}},
			msg:    "The request signature we calculated does not match the signature you provided.",
		},
		{
			name:   "unknown access key",
			mutate: func(r *rawRequest) { r.key = "AKIANOBODYNOBODY0001" },
			want:   [3]want{{"UnrecognizedClientException", 400}, {"UnrecognizedClientException", 403}, {"InvalidClientTokenId", 403}},
			msg:    "The security token included in the request is invalid.",
		},
		{
			name:   "missing Authorization",
			mutate: func(r *rawRequest) { r.noSign = true },
			want:   [3]want{{"MissingAuthenticationTokenException", 400}, {"MissingAuthenticationTokenException", 403}, {"MissingAuthenticationToken", 403}},
			msg:    "Missing Authentication Token",
		},
		{
			name: "garbled Authorization",
			mutate: func(r *rawRequest) {
				r.noSign = true
				r.header["Authorization"] = "AWS4-HMAC-SHA256 Credential=garbage"
			},
			want: [3]want{{"IncompleteSignatureException", 400}, {"IncompleteSignatureException", 403}, {"IncompleteSignature", 400}},
		},
		{
			name:   "unknown region",
			mutate: func(r *rawRequest) { r.region = "moon-east-1" },
			want:   [3]want{{"InvalidSignatureException", 400}, {"InvalidSignatureException", 403}, {"SignatureDoesNotMatch", 403}},
			msg:    "Credential should be scoped to a valid region, not 'moon-east-1'.",
		},
		{
			// The target or path names a served service, so the scope is
			// wrong; a form's Action is not read before the scope, so the
			// query request is one for a service not offered.
			name:   "unknown service in scope",
			mutate: func(r *rawRequest) { r.service = "s3" },
			want:   [3]want{{"InvalidSignatureException", 400}, {"InvalidSignatureException", 403}, {"NotImplemented", 501}},
		},
		{
			name:   "16 minutes of skew",
			mutate: func(r *rawRequest) { r.at = time.Now().Add(-16 * time.Minute) },
			want:   [3]want{{"InvalidSignatureException", 400}, {"InvalidSignatureException", 403}, {"SignatureDoesNotMatch", 403}},
			msg:    "Signature expired: ",
		},
		{
			name:   "expired session credentials",
			mutate: func(r *rawRequest) { r.key, r.secret, r.token = expiredKey, expiredSecret, expiredToken },
			want:   [3]want{{"ExpiredTokenException", 400}, {"ExpiredTokenException", 403}, {"ExpiredToken", 403}},
			msg:    "The security token included in the request is expired",
		},
		{
			name:   "session token missing",
			mutate: func(r *rawRequest) { r.key, r.secret = sessionKey, sessionSecret },
			want:   [3]want{{"UnrecognizedClientException", 400}, {"UnrecognizedClientException", 403}, {"InvalidClientTokenId", 403}},
		},
		{
			name:   "credential store failure",
			mutate: func(r *rawRequest) { r.key = failingKey },
			want:   [3]want{{"InternalFailure", 500}, {"InternalFailure", 500}, {"ServiceFailure", 500}},
			msg:    "We encountered an internal error. Please try again.",
		},
		{
			name:   "8 MiB body",
			mutate: func(r *rawRequest) { r.body = append(r.body, make([]byte, 8<<20)...) },
			want:   [3]want{{"RequestEntityTooLargeException", 413}, {"RequestEntityTooLargeException", 413}, {"RequestEntityTooLarge", 413}},
			msg:    "Request body exceeds the maximum size of 5242880 bytes.",
		},
		{
			name: "8 MiB body, chunked",
			mutate: func(r *rawRequest) {
				r.body = append(r.body, make([]byte, 8<<20)...)
				r.chunked = true
			},
			want: [3]want{{"RequestEntityTooLargeException", 413}, {"RequestEntityTooLargeException", 413}, {"RequestEntityTooLarge", 413}},
		},
	}
	for _, tc := range tests {
		for i, p := range protocols {
			t.Run(tc.name+"/"+p.name, func(t *testing.T) {
				req := p.req()
				tc.mutate(&req)
				resp, body := h.do(req)
				id := h.checkCommonHeaders(resp)
				w := tc.want[i]
				if resp.StatusCode != w.status {
					t.Fatalf("status %d, want %d; body %s", resp.StatusCode, w.status, body)
				}
				code, msg := parseError(t, p.name, resp, body, id)
				if code != w.code {
					t.Errorf("code %q, want %q", code, w.code)
				}
				if !strings.Contains(msg, tc.msg) {
					t.Errorf("message %q, want it to contain %q", msg, tc.msg)
				}
			})
		}
	}
	// The server keeps serving after refusing bodies.
	for _, p := range protocols {
		if resp, body := h.do(p.req()); resp.StatusCode != 200 {
			t.Errorf("%s after failures: %d %s", p.name, resp.StatusCode, body)
		}
	}
	// Valid session credentials work.
	req := protocols[0].req()
	req.key, req.secret, req.token = sessionKey, sessionSecret, sessionToken
	if resp, body := h.do(req); resp.StatusCode != 200 {
		t.Errorf("session credentials: %d %s", resp.StatusCode, body)
	}
}

// parseError extracts code and message in the protocol's shape and checks
// the shape's invariants (header + __type; XML RequestId = header).
func parseError(t *testing.T, proto string, resp *http.Response, body []byte, id string) (code, msg string) {
	t.Helper()
	if proto == "awsQuery" {
		if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
			t.Errorf("Content-Type %q", ct)
		}
		var e queryError
		if err := xml.Unmarshal(body, &e); err != nil {
			t.Fatalf("error body %s: %v", body, err)
		}
		if e.XMLName.Space != "https://iam.amazonaws.com/doc/2010-05-08/" {
			t.Errorf("xmlns %q", e.XMLName.Space)
		}
		wantType := "Sender"
		if resp.StatusCode >= 500 {
			wantType = "Receiver"
		}
		if e.Error.Type != wantType {
			t.Errorf("Type %q, want %q", e.Error.Type, wantType)
		}
		if e.RequestID != id {
			t.Errorf("RequestId %q, header %q", e.RequestID, id)
		}
		return e.Error.Code, e.Error.Message
	}
	var e jsonError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if got := resp.Header.Get("X-Amzn-ErrorType"); got != e.Type {
		t.Errorf("X-Amzn-ErrorType %q, __type %q", got, e.Type)
	}
	return e.Type, e.Message
}

// TestSkewFromServerClock moves the server's clock instead of the signer's.
func TestSkewFromServerClock(t *testing.T) {
	h := newHarness(t, 0)
	at := h.clk.Now()
	h.clk.Advance(16 * time.Minute)
	req := protocols[2].req()
	req.at = at
	resp, body := h.do(req)
	code, msg := parseError(t, "awsQuery", resp, body, h.checkCommonHeaders(resp))
	wantMsg := "Signature expired: " + at.UTC().Format("20060102T150405Z") + " is now earlier than " +
		h.clk.Now().Add(-15*time.Minute).UTC().Format("20060102T150405Z")
	if resp.StatusCode != 403 || code != "SignatureDoesNotMatch" || !strings.HasPrefix(msg, wantMsg) {
		t.Fatalf("%d %s %q, want 403 SignatureDoesNotMatch %q…", resp.StatusCode, code, msg, wantMsg)
	}
}

func TestQueryRouting(t *testing.T) {
	h := newHarness(t, 0)
	tests := []struct {
		name   string
		req    rawRequest
		status int
		code   string
		msg    string
	}{
		{"missing action", queryRequest("Version=2010-05-08&UserName=x"), 400, "MissingAction", "Missing Action"},
		{"unknown action", queryRequest("Action=LaunchRocket&Version=2010-05-08"), 400, "InvalidAction",
			"Could not find operation LaunchRocket for version 2010-05-08"},
		{"wrong version", queryRequest("Action=GetUser&Version=2011-06-15"), 400, "InvalidAction",
			"Could not find operation GetUser for version 2011-06-15"},
		{"unknown action, no version", queryRequest("Action=LaunchRocket"), 400, "InvalidAction",
			"Could not find operation LaunchRocket for version NO_VERSION_SPECIFIED"},
		{"malformed form", queryRequest("Action=GetUser&UserName=%zz"), 400, "MalformedQueryString", "not correctly URL-encoded"},
		{"XML body instead of a form", rawRequest{service: "iam", body: []byte(`<GetUser><UserName>a</UserName></GetUser>`),
			header: map[string]string{"Content-Type": "text/xml"}}, 400, "MissingAction", "Missing Action"},
		{"type error", queryRequest("Action=ListUsers&Version=2010-05-08&MaxItems=ten"), 400, "ValidationError",
			"1 validation error detected: Value 'ten' at 'maxItems' failed to satisfy constraint: Member must be an integer"},
		{"list gap", queryRequest("Action=CreateUser&Version=2010-05-08&UserName=bob&Tags.member.2.Key=k&Tags.member.2.Value=v"), 400,
			"ValidationError", "at 'tags' failed to satisfy constraint: Member must be numbered consecutively from 1"},
		{"internal failure", queryRequest("Action=GetUser&Version=2010-05-08&UserName=boom"), 500, "ServiceFailure",
			"We encountered an internal error. Please try again."},
		{"access denied", queryRequest("Action=GetUser&Version=2010-05-08&UserName=denied"), 403, "AccessDenied",
			"User: " + userARN + " is not authorized to perform: test:Op"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do(tc.req)
			id := h.checkCommonHeaders(resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			code, msg := parseError(t, "awsQuery", resp, body, id)
			if code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Fatalf("%s %q, want %s %q", code, msg, tc.code, tc.msg)
			}
		})
	}
	// GET with the parameters in the URL works too.
	resp, body := h.do(rawRequest{service: "iam", method: "GET", query: "Action=GetRole&Version=2010-05-08&RoleName=r"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<GetRoleResponse") {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
}
