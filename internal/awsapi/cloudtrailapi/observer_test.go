package cloudtrailapi

import (
	"encoding/json"
	"testing"
)

func TestResourceType(t *testing.T) {
	for _, tc := range []struct{ arn, want string }{
		{"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555", "AWS::ACMPCA::CertificateAuthority"},
		{"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/1111/certificate/abcd", "AWS::ACMPCA::Certificate"},
		{"arn:aws:acm:eu-west-1:111122223333:certificate/1111", "AWS::ACM::Certificate"},
		{"arn:aws:ram:us-east-1:111122223333:resource-share/1111", "AWS::RAM::ResourceShare"},
		{"arn:aws:iam::111122223333:role/path/r", "AWS::IAM::Role"},
		{"arn:aws:iam::aws:policy/AdministratorAccess", "AWS::IAM::Policy"},
		{"not-an-arn", ""},
	} {
		if got := ResourceType(tc.arn); got != tc.want {
			t.Errorf("ResourceType(%q) = %q, want %q", tc.arn, got, tc.want)
		}
	}
}

func TestReadOnly(t *testing.T) {
	for op, want := range map[string]bool{
		"GetCertificate": true, "ListTags": true, "DescribeCertificateAuthority": true, "LookupEvents": true,
		"IssueCertificate": false, "CreateAccessKey": false, "PutPolicy": false, "RevokeCertificate": false,
	} {
		if got := ReadOnly(op); got != want {
			t.Errorf("ReadOnly(%q) = %v", op, got)
		}
	}
}

func TestParamsLowerCamelRedactedCut(t *testing.T) {
	type inner struct{ PrivateKey string }
	type in struct {
		CertificateArn string
		Passphrase     []byte
		Nested         *inner
		Long           string
	}
	long := make([]byte, maxParamBytes+10)
	for i := range long {
		long[i] = 'a'
	}
	enc := paramsEncoder{caller: "444455556666"}
	var p map[string]any
	if err := json.Unmarshal(enc.encode(&in{CertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/1", Passphrase: []byte("pw"),
		Nested: &inner{PrivateKey: "k"}, Long: string(long)}, 0), &p); err != nil {
		t.Fatal(err)
	}
	if p["certificateArn"] != "arn:aws:acm:us-east-1:111122223333:certificate/1" || p["passphrase"] != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("params = %v", p)
	}
	if n, _ := p["nested"].(map[string]any); n["privateKey"] != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("nested = %v", p["nested"])
	}
	if s, _ := p["long"].(string); len(s) > maxParamBytes+4 {
		t.Errorf("long value kept %d bytes", len(s))
	}
	if rs := enc.resources; len(rs) != 1 || rs[0].Type != "AWS::ACM::Certificate" {
		t.Errorf("resources = %+v", rs)
	}
	if len(enc.recipients) != 1 || enc.recipients[0] != "111122223333" {
		t.Errorf("recipients = %v", enc.recipients)
	}
	// Blobs show their size, not their content, as CloudTrail's buffers.
	type blob struct{ Csr []byte }
	var bp map[string]any
	_ = json.Unmarshal((&paramsEncoder{}).encode(&blob{Csr: []byte("0123456789")}, 0), &bp)
	if b, _ := bp["csr"].(map[string]any); b["limit"] != float64(10) || len(b) != 3 {
		t.Errorf("blob rendered as %v", bp)
	}
}
