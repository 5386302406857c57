package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openpca/openpca/internal/loadtest"
)

// TestLoadToolDrivesTheServer checks that the load tool's requests are real,
// signed and accepted (it reports no numbers as assertions: they are measured
// by scripts/bench.sh, not tested).
func TestLoadToolDrivesTheServer(t *testing.T) {
	r := newRig(t, "")
	r.app.ACM.Start() // RequestCertificate waits for the worker's issuance
	for _, tc := range []struct{ op, alg, region string }{
		{"GetCallerIdentity", "", "us-east-1"},
		{"IssueCertificate", "EC_prime256v1", "us-east-1"},
		{"GetCertificate", "EC_prime256v1", "us-east-1"},
		{"DescribeCertificateAuthority", "EC_prime256v1", "us-east-1"},
		{"RequestCertificate", "EC_prime256v1", "us-east-1"},
		// Another partition: the CA's template is named in it.
		{"IssueCertificate", "EC_prime256v1", "us-gov-west-1"},
	} {
		t.Run(tc.op+"/"+tc.region, func(t *testing.T) {
			rep, err := loadtest.Run(context.Background(), loadtest.Config{
				Endpoint: r.srv.URL, Region: tc.region,
				Credentials: aws.Credentials{AccessKeyID: mgmtKeyID, SecretAccessKey: mgmtSecret},
				Operation:   tc.op, KeyAlgorithm: tc.alg, Concurrency: 4, Requests: 40,
			})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Errors != 0 || rep.Requests != 40 {
				t.Fatalf("%d of %d failed: %s", rep.Errors, rep.Requests, rep.FirstError)
			}
			out := rep.Format()
			if !strings.Contains(out, "throughput") || rep.P50 <= 0 || rep.CryptoPerRequest <= 0 {
				t.Fatalf("report:\n%s", out)
			}
			if (tc.op == "IssueCertificate" || tc.op == "RequestCertificate") && rep.RawPerRequest <= 0 {
				t.Fatalf("no raw pipeline cost:\n%s", out)
			}
		})
	}
}
