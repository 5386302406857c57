package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	iamstore "github.com/openpca/openpca/internal/iam"
)

// TestPCAAuthorizesBeforeRevealingExistence: another account cannot tell
// an existing CA from a missing one (AWS answers AccessDeniedException for
// both); the owner account still gets ResourceNotFoundException for a
// CA that does not exist.
func TestPCAAuthorizesBeforeRevealingExistence(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	aPCA := r.pca(creds{key: mgmtKeyID, secret: mgmtSecret})
	existing := activeCA(t, aPCA)
	missing := existing[:strings.LastIndexByte(existing, '/')+1] + "0f0e0d0c-0b0a-4908-8706-050403020100"

	b, err := r.app.IAMStore.CreateAccount(ctx, iamstore.AccountSpec{Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	bPCA := r.pca(creds{key: b.RootAccessKeyID, secret: b.RootSecretAccessKey})
	csr := leafCSR(t)

	ops := []struct {
		name string
		call func(c *acmpca.Client, ca string) error
	}{
		{"DescribeCertificateAuthority", func(c *acmpca.Client, ca string) error {
			_, err := c.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: &ca})
			return err
		}},
		{"IssueCertificate", func(c *acmpca.Client, ca string) error { _, err := issue(c, ca, "", csr); return err }},
		{"GetCertificate", func(c *acmpca.Client, ca string) error {
			_, err := c.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: aws.String(ca + "/certificate/0123456789abcdef")})
			return err
		}},
		{"GetPolicy", func(c *acmpca.Client, ca string) error {
			_, err := c.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca})
			return err
		}},
		{"GetCertificateAuthorityCsr", func(c *acmpca.Client, ca string) error {
			_, err := c.GetCertificateAuthorityCsr(ctx, &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: &ca})
			return err
		}},
		{"GetCertificateAuthorityCertificate", func(c *acmpca.Client, ca string) error {
			_, err := c.GetCertificateAuthorityCertificate(ctx, &acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &ca})
			return err
		}},
		{"ListTags", func(c *acmpca.Client, ca string) error {
			_, err := c.ListTags(ctx, &acmpca.ListTagsInput{CertificateAuthorityArn: &ca})
			return err
		}},
		{"ListPermissions", func(c *acmpca.Client, ca string) error {
			_, err := c.ListPermissions(ctx, &acmpca.ListPermissionsInput{CertificateAuthorityArn: &ca})
			return err
		}},
		{"RevokeCertificate", func(c *acmpca.Client, ca string) error {
			_, err := c.RevokeCertificate(ctx, &acmpca.RevokeCertificateInput{CertificateAuthorityArn: &ca,
				CertificateSerial: aws.String("01"), RevocationReason: pcatypes.RevocationReasonKeyCompromise})
			return err
		}},
		{"UpdateCertificateAuthority", func(c *acmpca.Client, ca string) error {
			_, err := c.UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: &ca,
				Status: pcatypes.CertificateAuthorityStatusDisabled})
			return err
		}},
		{"DeleteCertificateAuthority", func(c *acmpca.Client, ca string) error {
			_, err := c.DeleteCertificateAuthority(ctx, &acmpca.DeleteCertificateAuthorityInput{CertificateAuthorityArn: &ca})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			want := "is not authorized to perform: acm-pca:" + op.name + " on resource: "
			for _, ca := range []string{existing, missing} {
				msg := apiError(t, op.call(bPCA, ca), "AccessDeniedException")
				if !strings.Contains(msg, want+ca) {
					t.Fatalf("denial %q", msg)
				}
			}
			apiError(t, op.call(aPCA, missing), "ResourceNotFoundException")
		})
	}
}
