package integration

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/server"
)

// pcaIn is the management root's acm-pca client signing for region.
func (r *rig) pcaIn(region string) *acmpca.Client {
	cfg := r.awsConfig(mgmtKeyID, mgmtSecret, "")
	cfg.Region = region
	return acmpca.NewFromConfig(cfg)
}

// rootCAIn creates and installs a root CA in the client's region, naming
// the root template in partition.
func rootCAIn(t *testing.T, c *acmpca.Client, partition string) string {
	t.Helper()
	ctx := context.Background()
	out := must[*acmpca.CreateCertificateAuthorityOutput](t)(c.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("Regional Root")}},
	}))
	ca := *out.CertificateAuthorityArn
	csr := waitCSR(t, c, ca)
	issued := must[*acmpca.IssueCertificateOutput](t)(c.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca,
		Csr: []byte(*csr.Csr), SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		TemplateArn: aws.String("arn:" + partition + ":acm-pca:::template/RootCACertificate/V1"),
		Validity:    &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeYears, Value: aws.Int64(5)}}))
	got := must[*acmpca.GetCertificateOutput](t)(c.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: issued.CertificateArn}))
	must[*acmpca.ImportCertificateAuthorityCertificateOutput](t)(c.ImportCertificateAuthorityCertificate(ctx,
		&acmpca.ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: &ca, Certificate: []byte(*got.Certificate)}))
	return ca
}

func listedARNs(t *testing.T, c *acmpca.Client) []string {
	t.Helper()
	out := must[*acmpca.ListCertificateAuthoritiesOutput](t)(c.ListCertificateAuthorities(context.Background(), &acmpca.ListCertificateAuthoritiesInput{}))
	var arns []string
	for _, ca := range out.CertificateAuthorities {
		arns = append(arns, aws.ToString(ca.Arn))
	}
	return arns
}

// TestCAsAreRegional: a CA lives in the region its creation was signed for
// and is invisible from every other.
func TestCAsAreRegional(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	east, west := r.pcaIn("us-east-1"), r.pcaIn("us-west-2")

	ca := rootCAIn(t, west, "aws")
	if want := "arn:aws:acm-pca:us-west-2:" + mgmtAccount + ":certificate-authority/"; !strings.HasPrefix(ca, want) {
		t.Fatalf("CA ARN %s, want prefix %s", ca, want)
	}
	if got := listedARNs(t, west); !slices.Equal(got, []string{ca}) {
		t.Errorf("us-west-2 lists %v", got)
	}
	if got := listedARNs(t, east); len(got) != 0 {
		t.Errorf("us-east-1 lists %v", got)
	}
	_, err := east.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: &ca})
	apiError(t, err, "ResourceNotFoundException")
	_, err = east.GetCertificateAuthorityCertificate(ctx, &acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &ca})
	apiError(t, err, "ResourceNotFoundException")
	_, err = east.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca, Csr: leafCSR(t),
		SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Validity: &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(7)}})
	apiError(t, err, "ResourceNotFoundException")

	// In its own region the CA works as ever.
	leaf, err := issue(west, ca, "", leafCSR(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(leaf, ca+"/certificate/") {
		t.Errorf("certificate ARN %s", leaf)
	}
}

// TestGovCloudCA: a CA created in us-gov-east-1 carries the aws-us-gov
// partition in its ARN, and so do the templates it takes and records.
func TestGovCloudCA(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	gov := r.pcaIn("us-gov-east-1")
	ca := rootCAIn(t, gov, "aws-us-gov")
	if want := "arn:aws-us-gov:acm-pca:us-gov-east-1:" + mgmtAccount + ":certificate-authority/"; !strings.HasPrefix(ca, want) {
		t.Fatalf("CA ARN %s, want prefix %s", ca, want)
	}
	d := must[*acmpca.DescribeCertificateAuthorityOutput](t)(gov.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: &ca}))
	if d.CertificateAuthority.Status != pcatypes.CertificateAuthorityStatusActive || aws.ToString(d.CertificateAuthority.Arn) != ca {
		t.Errorf("describe: %s %s", d.CertificateAuthority.Status, aws.ToString(d.CertificateAuthority.Arn))
	}
	if _, err := issue(gov, ca, "arn:aws-us-gov:acm-pca:::template/EndEntityCertificate/V1", leafCSR(t)); err != nil {
		t.Fatalf("gov template: %v", err)
	}
	if _, err := issue(gov, ca, "", leafCSR(t)); err != nil {
		t.Fatalf("default template: %v", err)
	}
	_, err := issue(gov, ca, "arn:aws:acm-pca:::template/EndEntityCertificate/V1", leafCSR(t))
	apiError(t, err, "InvalidArgsException")

	// The same ARN, asked for from the aws partition, is not there.
	_, err = r.pcaIn("us-east-1").DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: &ca})
	apiError(t, err, "ResourceNotFoundException")

	// STS is global: the gov scope is accepted.
	cfg := r.awsConfig(mgmtKeyID, mgmtSecret, "")
	cfg.Region = "us-gov-east-1"
	id := must[*sts.GetCallerIdentityOutput](t)(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Account) != mgmtAccount {
		t.Errorf("account %s", aws.ToString(id.Account))
	}

	// The CA's certificate is a real one the client can parse.
	cert := must[*acmpca.GetCertificateAuthorityCertificateOutput](t)(gov.GetCertificateAuthorityCertificate(ctx, &acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &ca}))
	b, _ := pem.Decode([]byte(aws.ToString(cert.Certificate)))
	if b == nil {
		t.Fatal("no PEM certificate")
	}
	if _, err := x509.ParseCertificate(b.Bytes); err != nil {
		t.Fatal(err)
	}
}

// TestDefaultRegionMustBeServed: a --region outside --regions would write a
// profile the server refuses; start-up says so instead.
func TestDefaultRegionMustBeServed(t *testing.T) {
	set, err := regions.ParseList("eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = server.Open(context.Background(), server.Config{DataDir: t.TempDir(), Region: "us-east-1", Regions: set})
	if err == nil || !strings.Contains(err.Error(), `default region "us-east-1" is not among the served regions (eu-west-1)`) {
		t.Fatalf("got %v", err)
	}
}
