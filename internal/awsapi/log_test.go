package awsapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/smithy-go/encoding/cbor"
)

func TestAccessLog(t *testing.T) {
	h := newHarness(t, 0)
	const bodyMarker = "body-marker-7f3a"
	ok := queryRequest("Action=GetUser&Version=2010-05-08&UserName=" + bodyMarker)
	okResp, _ := h.do(ok) // NoSuchEntity, after authentication
	session := jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"`+caARN+`","X":"`+bodyMarker+`"}`)
	session.key, session.secret, session.token = sessionKey, sessionSecret, sessionToken
	sessResp, _ := h.do(session)
	bad := restRequest("POST", "/createresourceshare", "", `{"name":"`+bodyMarker+`"}`)
	bad.secret = "wrong-secret-value"
	badResp, _ := h.do(bad)
	boom := jsonRequest("ACMPrivateCA.DescribeCertificateAuthority", `{"CertificateAuthorityArn":"x/boom"}`)
	h.do(boom)
	cborResp, _ := h.do(cborRequest("DescribeCertificateAuthority", cbor.Map{"CertificateAuthorityArn": cbor.String(caARN), "X": cbor.String(bodyMarker)}))

	logs := h.logs.String()
	for _, secret := range []string{userSecret, sessionSecret, sessionToken, "wrong-secret-value", bodyMarker, "Signature=", "AWS4-HMAC-SHA256"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
	lines := map[string]map[string]any{} // request_id -> access line
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == "aws request" {
			if rec["level"] != "INFO" {
				t.Errorf("level %v", rec["level"])
			}
			lines[rec["request_id"].(string)] = rec
		}
	}
	if len(lines) != 5 {
		t.Fatalf("want 5 access lines, got %d:\n%s", len(lines), logs)
	}
	tests := []struct {
		name      string
		id        string
		principal string
		service   string
		operation string
		status    float64
	}{
		{"query user", okResp.Header.Get("X-Amzn-RequestId"), userARN, "iam", "GetUser", 404},
		{"json session", sessResp.Header.Get("X-Amzn-RequestId"), "arn:aws:sts::111122223333:assumed-role/r/s", "acm-pca", "DescribeCertificateAuthority", 200},
		{"rest bad signature", badResp.Header.Get("X-Amzn-RequestId"), "-", "ram", "-", 403},
		{"rpcv2Cbor", cborResp.Header.Get("X-Amzn-RequestId"), userARN, "acm-pca", "DescribeCertificateAuthority", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := lines[tc.id]
			if rec == nil {
				t.Fatalf("no access line for %s", tc.id)
			}
			if rec["principal"] != tc.principal || rec["service"] != tc.service || rec["operation"] != tc.operation ||
				rec["status"] != tc.status || rec["source_ip"] != "127.0.0.1" {
				t.Fatalf("line %v", rec)
			}
			if _, ok := rec["latency_ms"].(float64); !ok {
				t.Fatalf("latency_ms missing: %v", rec)
			}
		})
	}
}
