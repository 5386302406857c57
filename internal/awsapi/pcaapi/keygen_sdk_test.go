package pcaapi

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/smithy-go"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/store/storetest"
)

// slowKeys holds every key generation until release is closed.
type slowKeys struct {
	keystore.KeyStore
	release chan struct{}
}

func (k slowKeys) Generate(ctx context.Context, alg pki.KeyAlgorithm) (*keystore.Key, error) {
	<-k.release
	return k.KeyStore.Generate(ctx, alg)
}

// TestCreateAnswersCreatingThenWaiterSucceeds: through the SDK,
// CreateCertificateAuthority answers while the key is still being
// generated; the CA is CREATING, GetCertificateAuthorityCsr answers
// RequestInProgressException, and the SDK's CSR waiter succeeds once the
// key exists (PENDING_CERTIFICATE).
func TestCreateAnswersCreatingThenWaiterSucceeds(t *testing.T) {
	ctx := context.Background()
	db, err := storetest.OpenDir(ctx, t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keystore.NewMasterKey([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	keys := slowKeys{KeyStore: keystore.NewSoftware(mk, 0), release: make(chan struct{})}
	released := false
	release := func() {
		if !released {
			released = true
			close(keys.release)
		}
	}
	clk := clock.Real{}
	svc := pca.New(db, keys, authz.New(noIdentities{}, nil, clk), clk, pca.Config{})
	arn := "arn:aws:iam::" + acct + ":root"
	creds := memCreds{rootKey: {SecretAccessKey: rootSec, Principal: authz.Principal{Type: authz.TypeAccount, AccountID: acct, ARN: arn, PrincipalARN: arn, UserID: acct}}}
	srv := httptest.NewServer(awsapi.New(awsapi.Config{Region: "us-east-1", Clock: clk}, creds, Service(svc)))
	t.Cleanup(func() { release(); srv.Close(); svc.Close(); db.Close() })
	c := acmpca.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(rootKey, rootSec, ""),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} }}, func(o *acmpca.Options) { o.BaseEndpoint = aws.String(srv.URL) })

	out, err := c.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{CertificateAuthorityType: types.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &types.CertificateAuthorityConfiguration{KeyAlgorithm: types.KeyAlgorithmEcPrime256v1,
			SigningAlgorithm: types.SigningAlgorithmSha256withecdsa, Subject: &types.ASN1Subject{CommonName: aws.String("Async")}}})
	if err != nil {
		t.Fatal(err)
	}
	ca := out.CertificateAuthorityArn
	d, err := c.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: ca})
	if err != nil || d.CertificateAuthority.Status != types.CertificateAuthorityStatusCreating {
		t.Fatalf("describe: %+v %v", d, err)
	}
	in := &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: ca}
	_, err = c.GetCertificateAuthorityCsr(ctx, in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "RequestInProgressException" {
		t.Fatalf("CSR while CREATING: %v", err)
	}
	release()
	if err := acmpca.NewCertificateAuthorityCSRCreatedWaiter(c, func(o *acmpca.CertificateAuthorityCSRCreatedWaiterOptions) {
		o.MinDelay = 5 * time.Millisecond
	}).Wait(ctx, in, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: ca})
	if err != nil || d.CertificateAuthority.Status != types.CertificateAuthorityStatusPendingCertificate {
		t.Fatalf("after the waiter: %+v %v", d, err)
	}
}
