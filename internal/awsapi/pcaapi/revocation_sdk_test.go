package pcaapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"strings"
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
	"github.com/openpca/openpca/internal/store/storetest"
)

// newRevClient is newClient with audit reports enabled.
func newRevClient(t *testing.T, w wire) *acmpca.Client {
	t.Helper()
	dir := t.TempDir()
	db, err := storetest.OpenDir(ctx, t, dir)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keystore.NewMasterKey([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Real{}
	svc := pca.New(db, keystore.NewSoftware(mk, 0), authz.New(noIdentities{}, nil, clk), clk,
		pca.Config{Region: "us-east-1", Partition: "aws", AuditDir: dir + "/audit", PublicBaseURL: "http://pki.test"})
	arn := "arn:aws:iam::" + acct + ":root"
	creds := memCreds{rootKey: {SecretAccessKey: rootSec, Principal: authz.Principal{Type: authz.TypeAccount, AccountID: acct, ARN: arn, PrincipalARN: arn, UserID: acct}}}
	srv := httptest.NewServer(awsapi.New(awsapi.Config{Region: "us-east-1", Clock: clk}, creds, Service(svc)))
	t.Cleanup(func() { srv.Close(); svc.Close(); db.Close() })
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(rootKey, rootSec, ""),
		HTTPClient: srv.Client(), Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	return acmpca.NewFromConfig(cfg, func(o *acmpca.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		if w.setUp != nil {
			w.setUp(o)
		}
	})
}

func wantRevCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// TestRevocationWithSDK drives every revocation, audit and permission
// operation through the SDK on each wire.
func TestRevocationWithSDK(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name, func(t *testing.T) {
			c := newRevClient(t, w)
			ca, csr := createCA(t, c, types.CertificateAuthorityTypeRoot, types.KeyAlgorithmEcPrime256v1, types.SigningAlgorithmSha256withecdsa, "SDK Revocation Root")
			root := issueAndGet(t, c, ca, csr, types.SigningAlgorithmSha256withecdsa, "RootCACertificate", years(5))
			importCert(t, c, ca, []byte(aws.ToString(root.Certificate)), nil)
			if _, err := c.UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: &ca,
				RevocationConfiguration: &types.RevocationConfiguration{CrlConfiguration: &types.CrlConfiguration{Enabled: aws.Bool(true)},
					OcspConfiguration: &types.OcspConfiguration{Enabled: aws.Bool(true)}}}); err != nil {
				t.Fatal(err)
			}
			key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "sdk.example.com"}}, key)
			leafCSR := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
			leaf := issueAndGet(t, c, ca, leafCSR, types.SigningAlgorithmSha256withecdsa, "", types.Validity{Value: aws.Int64(10), Type: types.ValidityPeriodTypeDays})
			b, _ := pem.Decode([]byte(aws.ToString(leaf.Certificate)))
			cert, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if len(cert.CRLDistributionPoints) != 1 || len(cert.OCSPServer) != 1 {
				t.Errorf("CDP %v OCSP %v", cert.CRLDistributionPoints, cert.OCSPServer)
			}
			serial := strings.ToUpper(cert.SerialNumber.Text(16))
			revoke := func(s string) error {
				_, err := c.RevokeCertificate(ctx, &acmpca.RevokeCertificateInput{CertificateAuthorityArn: &ca, CertificateSerial: &s,
					RevocationReason: types.RevocationReasonKeyCompromise})
				return err
			}
			if err := revoke(serial); err != nil {
				t.Fatal(err)
			}
			wantRevCode(t, revoke(serial), "RequestAlreadyProcessedException")
			wantRevCode(t, revoke("0123456789abcdef"), "ResourceNotFoundException")
			wantRevCode(t, revoke("zz"), "InvalidRequestException")

			rep, err := c.CreateCertificateAuthorityAuditReport(ctx, &acmpca.CreateCertificateAuthorityAuditReportInput{CertificateAuthorityArn: &ca,
				S3BucketName: aws.String("sdk-bucket"), AuditReportResponseFormat: types.AuditReportResponseFormatCsv})
			if err != nil {
				t.Fatal(err)
			}
			din := &acmpca.DescribeCertificateAuthorityAuditReportInput{CertificateAuthorityArn: &ca, AuditReportId: rep.AuditReportId}
			if err := acmpca.NewAuditReportCreatedWaiter(c).Wait(ctx, din, 30*time.Second); err != nil {
				t.Fatal(err)
			}
			d, err := c.DescribeCertificateAuthorityAuditReport(ctx, din)
			if err != nil || d.AuditReportStatus != types.AuditReportStatusSuccess || aws.ToString(d.S3Key) != aws.ToString(rep.S3Key) || d.CreatedAt == nil {
				t.Fatalf("describe: %v %+v", err, d)
			}
			_, err = c.CreateCertificateAuthorityAuditReport(ctx, &acmpca.CreateCertificateAuthorityAuditReportInput{CertificateAuthorityArn: &ca,
				S3BucketName: aws.String("sdk-bucket"), AuditReportResponseFormat: types.AuditReportResponseFormatJson})
			wantRevCode(t, err, "RequestInProgressException")

			perm := &acmpca.CreatePermissionInput{CertificateAuthorityArn: &ca, Principal: aws.String("acm.amazonaws.com"),
				Actions: []types.ActionType{types.ActionTypeIssueCertificate, types.ActionTypeGetCertificate, types.ActionTypeListPermissions}}
			if _, err := c.CreatePermission(ctx, perm); err != nil {
				t.Fatal(err)
			}
			_, err = c.CreatePermission(ctx, perm)
			wantRevCode(t, err, "PermissionAlreadyExistsException")
			list, err := c.ListPermissions(ctx, &acmpca.ListPermissionsInput{CertificateAuthorityArn: &ca})
			if err != nil || len(list.Permissions) != 1 || aws.ToString(list.Permissions[0].SourceAccount) != acct ||
				len(list.Permissions[0].Actions) != 3 || !strings.Contains(aws.ToString(list.Permissions[0].Policy), "acm.amazonaws.com") {
				t.Fatalf("list: %v %+v", err, list)
			}
			if _, err := c.DeletePermission(ctx, &acmpca.DeletePermissionInput{CertificateAuthorityArn: &ca, Principal: aws.String("acm.amazonaws.com")}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
