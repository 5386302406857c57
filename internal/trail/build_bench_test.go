package trail

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// BenchmarkBuildRecord is the record of a cross-account issuance.
func BenchmarkBuildRecord(b *testing.B) {
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
	c := &authz.Caller{Principal: authz.Principal{Type: authz.TypeUser, AccountID: "444455556666",
		ARN: "arn:aws:iam::444455556666:user/dev", UserName: "dev", UserID: "AIDAEXAMPLE"}, AccessKeyID: "AKIAEXAMPLE", Region: "us-east-1"}
	ev := &Event{ID: "00000000-21b8-41f5-a506-8dbc50bdfc11", Time: time.Now(),
		Region: "us-east-1", Source: "acm-pca.amazonaws.com", Name: "IssueCertificate", Caller: c,
		SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26", RequestID: "8f462337-21b8-41f5-a506-8dbc50bdfc11",
		Request:   map[string]any{"certificateAuthorityArn": ca, "csr": map[string]any{"position": 450, "limit": 450, "capacity": 450}, "signingAlgorithm": "SHA256WITHECDSA", "validity": map[string]any{"type": "DAYS", "value": int64(7)}},
		Response:  map[string]any{"certificateArn": ca + "/certificate/0123456789abcdef0123456789abcdef"},
		Resources: []Resource{{Type: "AWS::ACMPCA::CertificateAuthority", Name: ca}}, Recipients: []string{"111122223333"}}
	// As the recorder hands them over: encoded.
	ev.RequestJSON, _ = json.Marshal(ev.Request)
	ev.ResponseJSON, _ = json.Marshal(ev.Response)
	ev.Request, ev.Response = nil, nil
	b.ReportAllocs()
	for b.Loop() {
		buildRecord(ev, true)
	}
}
