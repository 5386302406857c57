package awsapi

import (
	"reflect"
	"strings"
	"testing"

	"github.com/openpca/openpca/internal/benchcpu"
)

// The per-request codec work of a GetCertificate call (decode, validate,
// encode), which profiles of the load tool show on every read.
type benchGetCertIn struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	CertificateArn          string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
}

type benchGetCertOut struct {
	Certificate      string `json:",omitempty"`
	CertificateChain string `json:",omitempty"`
}

const benchCA = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/0b6d3a5e-2f44-4d39-9d0c-6b1a4f1f2c3d"

func benchPEM(n int) string {
	return "-----BEGIN CERTIFICATE-----\n" + strings.Repeat(strings.Repeat("MIIB", 16)+"\n", n) + "-----END CERTIFICATE-----"
}

func BenchmarkGetCertificateCodec(b *testing.B) {
	body := []byte(`{"CertificateAuthorityArn":"` + benchCA + `","CertificateArn":"` + benchCA + `/certificate/8a1f0c2b9d3e4f5a6b7c8d9e0f1a2b3c"}`)
	out := benchGetCertOut{Certificate: benchPEM(12), CertificateChain: benchPEM(12) + "\n" + benchPEM(24)}
	b.ReportAllocs()
	t0 := benchcpu.Process()
	for b.Loop() {
		var in benchGetCertIn
		if e := decodeJSON(JSON11, body, nil, reflect.ValueOf(&in)); e != nil {
			b.Fatal(e)
		}
		if e := ValidateInput(JSON11, &in); e != nil {
			b.Fatal(e)
		}
		if _, err := encodeJSON(reflect.ValueOf(out)); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time moves far less than ns/op on cores shared with others.
	b.ReportMetric(float64(benchcpu.Process()-t0)/float64(b.N), "cpu-ns/op")
}
