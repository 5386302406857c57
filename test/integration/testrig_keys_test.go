package integration

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store/storetest"
)

// bootWith opens a server bootstrapped with the given root key and returns
// its URL, or the bootstrap error.
func bootWith(t *testing.T, key, secret string) (string, error) {
	t.Helper()
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	app, err := server.Open(context.Background(), server.Config{DataDir: t.TempDir(), Database: storetest.Database(t), Clock: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(func() { srv.Close(); app.Close() })
	_, err = app.Bootstrap(context.Background(), server.BootstrapSpec{AccountID: mgmtAccount, AccessKeyID: key, SecretAccessKey: secret}, srv.URL)
	return srv.URL, err
}

// TestTestRigKeys: suites written for moto or LocalStack sign with keys
// such as FOOBARKEY/FOOBARSECRET; a server bootstrapped with them serves
// those clients unchanged.
func TestTestRigKeys(t *testing.T) {
	ctx := context.Background()
	for _, k := range []struct{ key, secret string }{
		{"FOOBARKEY", "FOOBARSECRET"},
		{"testing", "testing"},
		{"test", "test"},
	} {
		t.Run(k.key, func(t *testing.T) {
			url, err := bootWith(t, k.key, k.secret)
			if err != nil {
				t.Fatal(err)
			}
			cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(k.key, k.secret, ""),
				BaseEndpoint: aws.String(url), RetryMaxAttempts: 1}
			id := must[*sts.GetCallerIdentityOutput](t)(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
			if aws.ToString(id.Account) != mgmtAccount {
				t.Errorf("account %s", aws.ToString(id.Account))
			}
			must[*iam.CreateUserOutput](t)(iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
			keys := must[*iam.CreateAccessKeyOutput](t)(iam.NewFromConfig(cfg).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
			// Keys IAM creates keep AWS's format.
			if kid := aws.ToString(keys.AccessKey.AccessKeyId); len(kid) != 20 || kid[:4] != "AKIA" {
				t.Errorf("IAM created key ID %q", kid)
			}
			must[*acmpca.ListCertificateAuthoritiesOutput](t)(acmpca.NewFromConfig(cfg).ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{}))

			// The secret still matters.
			cfg.Credentials = credentials.NewStaticCredentialsProvider(k.key, k.secret+"x", "")
			_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			apiError(t, err, "SignatureDoesNotMatch")
		})
	}
	for _, bad := range []struct{ name, key, secret string }{
		{"space in key", "FOO BAR", "secret"},
		{"slash in key", "FOO/BAR", "secret"},
		{"session-looking key", "ASIAFOOBAR", "secret"},
		{"control character in secret", "FOOBARKEY", "sec\nret"},
	} {
		t.Run("refused/"+bad.name, func(t *testing.T) {
			if _, err := bootWith(t, bad.key, bad.secret); err == nil {
				t.Fatalf("bootstrap accepted %q/%q", bad.key, bad.secret)
			}
		})
	}
}
