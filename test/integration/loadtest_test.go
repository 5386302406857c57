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
		{"DescribeCertificate", "EC_prime256v1", "us-east-1"},
		{"ListCertificates", "EC_prime256v1", "us-east-1"},
		{"GetPolicy", "EC_prime256v1", "us-east-1"},
		{"GetResourceShares", "EC_prime256v1", "us-east-1"},
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
			if tc.op == "IssueCertificate" || tc.op == "RequestCertificate" {
				// The raw cost is the median of measurements before and
				// after the load, all reported.
				if rep.RawPerRequest <= 0 || rep.RawMin > rep.RawPerRequest || rep.RawPerRequest > rep.RawMax ||
					!strings.Contains(out, "raw measurements     median of 6") {
					t.Fatalf("raw pipeline cost:\n%s", out)
				}
			}
		})
	}
}

// TestLoadToolMixedProfile runs the mixed profile's set-up through the AWS
// APIs (organization, RAM organization share, member accounts through
// CreateAccount and AssumeRole) and a short run with every operation of
// the mix answering without error from the member accounts.
func TestLoadToolMixedProfile(t *testing.T) {
	r := newRig(t, "")
	r.app.ACM.Start()
	var setup []string
	rep, err := loadtest.Run(context.Background(), loadtest.Config{
		Endpoint: r.srv.URL, Region: "us-east-1",
		Credentials: aws.Credentials{AccessKeyID: mgmtKeyID, SecretAccessKey: mgmtSecret},
		Operation:   "mixed", Accounts: 3, Concurrency: 4, Requests: 400,
		Setup: func(s string) { setup = append(setup, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 0 || rep.Requests != 400 || rep.Principals != 3 {
		t.Fatalf("%d of %d failed (%d principals): %s", rep.Errors, rep.Requests, rep.Principals, rep.FirstError)
	}
	mix, _ := loadtest.ParseMix(loadtest.DefaultMix)
	if len(rep.PerOperation) != len(mix) {
		t.Fatalf("per operation: %+v", rep.PerOperation)
	}
	for i, o := range rep.PerOperation {
		// 400 draws: each weight ≥ 10 % is drawn at least once but for a
		// chance below 1e-18.
		if o.Operation != mix[i].Operation || o.Count == 0 || o.Errors != 0 || o.P50 <= 0 {
			t.Fatalf("operation %d: %+v", i, o)
		}
	}
	out := rep.Format()
	if !strings.Contains(out, "per operation") || !strings.Contains(out, "3 member accounts") {
		t.Fatalf("report:\n%s", out)
	}
	if len(setup) == 0 {
		t.Fatal("no set-up progress")
	}
}
