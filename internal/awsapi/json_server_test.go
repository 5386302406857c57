package awsapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// jsonError is the awsJson / restJson error body.
type jsonError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
	Reason  string `json:"Reason"`
}

func TestJSON11(t *testing.T) {
	h := newHarness(t, 0)
	csr := base64.StdEncoding.EncodeToString([]byte("CSR"))
	issue := func(extra string) string {
		return `{"CertificateAuthorityArn":"` + caARN + `","Csr":"` + csr + `","SigningAlgorithm":"SHA256WITHRSA","Validity":{"Value":365,"Type":"DAYS"}` + extra + `}`
	}
	tests := []struct {
		name       string
		req        rawRequest
		wantStatus int
		wantBody   string // exact, for successes
		wantCode   string
		wantMsg    string // substring of the error message
		wantReason string
	}{
		{name: "issue", req: jsonRequest("ACMPrivateCA.IssueCertificate", issue("")), wantStatus: 200,
			wantBody: `{"CertificateArn":"` + caARN + `/certificate/` + csrDigest("CSR") + `"}`},
		{name: "describe with epoch timestamps", req: jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"`+caARN+`"}`),
			wantStatus: 200,
			wantBody: `{"CertificateAuthority":{"Arn":"` + caARN + `","OwnerAccount":"111122223333","CreatedAt":1772366400.123,` +
				`"NotAfter":2087982017,"Status":"ACTIVE","Usage":[]}}`},
		{name: "empty output", req: jsonRequest("ACMPrivateCA.PutPolicy", `{"ResourceArn":"a","Policy":"{}"}`), wantStatus: 200, wantBody: `{}`},
		{name: "required and enum", req: jsonRequest("ACMPrivateCA.IssueCertificate", `{"CertificateAuthorityArn":"`+caARN+`","Csr":"`+csr+`","SigningAlgorithm":"MD5"}`),
			wantStatus: 400, wantCode: "ValidationException",
			wantMsg: "2 validation errors detected: Value 'MD5' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SHA256WITHECDSA, SHA256WITHRSA]; " +
				"Value null at 'validity' failed to satisfy constraint: Member must not be null"},
		{name: "pattern with java escapes", req: jsonRequest("ACMPrivateCA.IssueCertificate", issue(`,"IdempotencyToken":"tab\tok\u0001"`)),
			wantStatus: 400, wantCode: "ValidationException", wantMsg: "at 'idempotencyToken' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{name: "malformed json", req: jsonRequest("ACMPrivateCA.IssueCertificate", `{"Csr":`), wantStatus: 400, wantCode: "SerializationException",
			wantMsg: "Malformed JSON"},
		{name: "wrong type", req: jsonRequest("ACMPrivateCA.IssueCertificate", `{"Validity":{"Value":"365"}}`), wantStatus: 400,
			wantCode: "SerializationException", wantMsg: "'Validity.Value'"},
		{name: "unknown operation", req: jsonRequest("ACMPrivateCA.LaunchRocket", `{}`), wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "wrong prefix", req: jsonRequest("CertificateManager.IssueCertificate", `{}`), wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "no target", req: jsonRequest("", `{}`), wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "modeled error", req: jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"`+caARN+`/missing"}`),
			wantStatus: 400, wantCode: "ResourceNotFoundException", wantMsg: "Could not find certificate authority"},
		{name: "modeled error with extra field", req: jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"x/limited"}`),
			wantStatus: 400, wantCode: "ConstraintViolationException", wantReason: "ACCOUNT_NUMBER_LIMIT_EXCEEDED"},
		{name: "handler returns *Error", req: jsonRequest("ACMPrivateCA.ListCertificateAuthoritiesFail", ``), wantStatus: 400, wantCode: "ThrottlingException",
			wantMsg: "Rate exceeded"},
		{name: "access denied", req: jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"x/denied"}`),
			wantStatus: 400, wantCode: "AccessDeniedException", wantMsg: "User: " + userARN + " is not authorized to perform: test:Op"},
		{name: "internal failure hides the cause", req: jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"x/boom"}`),
			wantStatus: 500, wantCode: "InternalFailure", wantMsg: "We encountered an internal error"},
		{name: "panic is an internal failure", req: jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"x/panic"}`),
			wantStatus: 500, wantCode: "InternalFailure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do(tc.req)
			h.checkCommonHeaders(resp)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.wantCode == "" {
				if string(body) != tc.wantBody {
					t.Fatalf("body\n%s\nwant\n%s", body, tc.wantBody)
				}
				return
			}
			checkJSONError(t, resp, body, tc.wantCode, tc.wantMsg)
			if tc.wantReason != "" {
				var e jsonError
				_ = json.Unmarshal(body, &e)
				if e.Reason != tc.wantReason {
					t.Errorf("Reason %q, want %q", e.Reason, tc.wantReason)
				}
			}
		})
	}
	if strings.Contains(h.logs.String(), "database exploded") == false {
		t.Error("the internal failure's cause was not logged")
	}
}

// csrDigest is the certificate suffix the fake PCA derives from a CSR.
func csrDigest(csr string) string {
	sum := sha256.Sum256([]byte(csr))
	return hex.EncodeToString(sum[:16])
}

func checkJSONError(t *testing.T, resp *http.Response, body []byte, code, msg string) {
	t.Helper()
	if got := resp.Header.Get("X-Amzn-ErrorType"); got != code {
		t.Errorf("X-Amzn-ErrorType %q, want %q", got, code)
	}
	var e jsonError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if e.Type != code {
		t.Errorf("__type %q, want %q (body %s)", e.Type, code, body)
	}
	if !strings.Contains(e.Message, msg) {
		t.Errorf("message %q, want it to contain %q", e.Message, msg)
	}
}

func TestRESTJSON1(t *testing.T) {
	h := newHarness(t, 0)
	tests := []struct {
		name       string
		req        rawRequest
		wantStatus int
		wantBody   string
		wantCode   string
		wantMsg    string
	}{
		{name: "create", req: restRequest("POST", "/createresourceshare", "",
			`{"name":"pca-share","resourceArns":["`+caARN+`"],"principals":["222233334444"],"allowExternalPrincipals":true,"clientToken":"5d0c"}`),
			wantStatus: 200,
			wantBody: `{"resourceShare":{"resourceShareArn":"arn:aws:ram:us-east-1:111122223333:resource-share/7ab6","name":"pca-share",` +
				`"owningAccountId":"111122223333","allowExternalPrincipals":true,"status":"ACTIVE","creationTime":1772366400},"clientToken":"5d0c"}`},
		{name: "delete with query members", req: restRequest("DELETE", "/deleteresourceshare",
			"resourceShareArn=arn%3Aaws%3Aram%3Aus-east-1%3A111122223333%3Aresource-share%2F7ab6&clientToken=c1", ""),
			wantStatus: 200, wantBody: `{"returnValue":true,"clientToken":"c1"}`},
		{name: "missing query member", req: restRequest("DELETE", "/deleteresourceshare", "", ""), wantStatus: 400,
			wantCode: "ValidationException", wantMsg: "Value null at 'resourceShareArn' failed to satisfy constraint: Member must not be null"},
		{name: "modeled error", req: restRequest("POST", "/createresourceshare", "", `{"name":"s","principals":["222233334444"]}`),
			wantStatus: 400, wantCode: "InvalidParameterException", wantMsg: "Principal 222233334444 is not in your AWS organization."},
		{name: "unknown path", req: restRequest("POST", "/launchrocket", "", `{}`), wantStatus: 404, wantCode: "UnknownOperationException"},
		{name: "wrong method", req: restRequest("GET", "/createresourceshare", "", ``), wantStatus: 404, wantCode: "UnknownOperationException"},
		{name: "malformed json", req: restRequest("POST", "/createresourceshare", "", `{"name":}`), wantStatus: 400, wantCode: "SerializationException"},
		{name: "access denied is 403", req: restRequest("POST", "/createresourceshare", "", `{"name":"denied"}`), wantStatus: 403,
			wantCode: "AccessDeniedException", wantMsg: "is not authorized to perform"},
		{name: "internal failure", req: restRequest("POST", "/createresourceshare", "", `{"name":"boom"}`), wantStatus: 500, wantCode: "InternalFailure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do(tc.req)
			h.checkCommonHeaders(resp)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.wantCode == "" {
				if string(body) != tc.wantBody {
					t.Fatalf("body\n%s\nwant\n%s", body, tc.wantBody)
				}
				return
			}
			checkJSONError(t, resp, body, tc.wantCode, tc.wantMsg)
		})
	}
}

// TestJSON11LargeBody: 4 MiB must be accepted (a big CSR/chain in base64).
func TestJSON11LargeBody(t *testing.T) {
	h := newHarness(t, 0)
	big := base64.StdEncoding.EncodeToString(make([]byte, 3<<20)) // 4 MiB of base64
	body := `{"CertificateAuthorityArn":"` + caARN + `","Csr":"` + big + `","SigningAlgorithm":"SHA256WITHRSA","Validity":{"Value":1,"Type":"DAYS"}}`
	resp, b := h.do(jsonRequest("ACMPrivateCA.IssueCertificate", body))
	if resp.StatusCode != 200 || len(body) < 4<<20 {
		t.Fatalf("status %d (body %d bytes): %s", resp.StatusCode, len(body), b)
	}
}
