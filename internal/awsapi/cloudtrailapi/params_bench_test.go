package cloudtrailapi

import (
	"testing"

	"github.com/openpca/openpca/internal/pca"
)

// BenchmarkParams is the recorder's encoding of an issuance's input and
// output (with the resources they name).
func BenchmarkParams(b *testing.B) {
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
	in := &pca.IssueCertificateInput{CertificateAuthorityArn: ca, Csr: make([]byte, 450), SigningAlgorithm: "SHA256WITHECDSA",
		Validity: &pca.Validity{Type: "DAYS", Value: new(int64(7))}}
	out := &pca.IssueCertificateOutput{CertificateArn: ca + "/certificate/0123456789abcdef0123456789abcdef"}
	b.ReportAllocs()
	for b.Loop() {
		p := paramsEncoder{caller: "444455556666"}
		p.encode(in, 256)
		p.encode(out, 256)
	}
}
