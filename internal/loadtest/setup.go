package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/regions"
)

const (
	listSetupCerts = 10 // certificates ListCertificates lists
	sharesSetup    = 10 // resource shares GetResourceShares lists
)

// sdkConfig is an SDK configuration for the target signed as creds.
func sdkConfig(cfg Config, creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:       cfg.Region,
		Credentials:  aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
		BaseEndpoint: aws.String(cfg.Endpoint),
	}
}

// setupSender sends single signed requests outside the timed run.
func setupSender(cfg Config) func(Operation) ([]byte, error) {
	client, signer := &http.Client{}, v4.NewSigner()
	return func(op Operation) ([]byte, error) { return doOne(context.Background(), client, signer, cfg, op) }
}

// pcaOp is an acm-pca request (awsJson1_1).
func pcaOp(action string, body any, creds *aws.Credentials) Operation {
	b, _ := json.Marshal(body)
	return Operation{Service: "acm-pca", ContentType: "application/x-amz-json-1.1",
		Target: "ACMPrivateCA." + action, Body: string(b), Creds: creds}
}

func getPolicyOp(caARN string, creds *aws.Credentials) Operation {
	return pcaOp("GetPolicy", map[string]string{"ResourceArn": caARN}, creds)
}

// getResourceSharesOp lists the caller's own shares (RAM is restJson1).
func getResourceSharesOp(creds *aws.Credentials) Operation {
	return Operation{Service: "ram", ContentType: "application/json", Path: "/getresourceshares",
		Body: `{"resourceOwner":"SELF"}`, Creds: creds}
}

// caPolicy is the PCA guide's account share: the read actions and
// end-entity issuance for one account.
func caPolicy(caARN, account, partition string) string {
	doc := map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{
		{"Sid": "ReadShared", "Effect": "Allow", "Principal": map[string]string{"AWS": account}, "Resource": caARN,
			"Action": []string{"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
				"acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions", "acm-pca:ListTags"}},
		{"Sid": "Issue", "Effect": "Allow", "Principal": map[string]string{"AWS": account}, "Resource": caARN,
			"Action": "acm-pca:IssueCertificate", "Condition": map[string]any{"StringEquals": map[string]string{
				"acm-pca:TemplateArn": "arn:" + partition + ":acm-pca:::template/EndEntityCertificate/V1"}}},
	}}
	b, _ := json.Marshal(doc)
	return string(b)
}

// putAccountPolicy gives the CA a resource policy naming the caller's own
// account, so GetPolicy has a document to return.
func putAccountPolicy(ctx context.Context, cfg Config, caARN string) error {
	id, err := sts.NewFromConfig(sdkConfig(cfg, cfg.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("setup: STS GetCallerIdentity: %w", err)
	}
	_, err = acmpca.NewFromConfig(sdkConfig(cfg, cfg.Credentials)).PutPolicy(ctx, &acmpca.PutPolicyInput{
		ResourceArn: &caARN, Policy: aws.String(caPolicy(caARN, *id.Account, regions.PartitionOf(cfg.Region)))})
	if err != nil {
		return fmt.Errorf("setup: acm-pca PutPolicy: %w", err)
	}
	return nil
}

// createShares creates one resource share holding caARN per entry of
// principals (an account ID, or "" for none), named prefix-i.
func createShares(ctx context.Context, cfg Config, prefix, caARN string, principals []string) error {
	client := ram.NewFromConfig(sdkConfig(cfg, cfg.Credentials))
	for i, p := range principals {
		in := &ram.CreateResourceShareInput{Name: aws.String(prefix + "-" + strconv.Itoa(i)), ResourceArns: []string{caARN}}
		if p != "" {
			// Members of the owner's organization: associated at once.
			in.Principals, in.AllowExternalPrincipals = []string{p}, aws.Bool(false)
		}
		if _, err := client.CreateResourceShare(ctx, in); err != nil {
			return fmt.Errorf("setup: RAM CreateResourceShare (the target must serve RAM for this operation): %w", err)
		}
	}
	return nil
}

// SetupCA creates an ACTIVE root CA of cfg.KeyAlgorithm on the target
// through the acm-pca API (for test/scale).
func SetupCA(ctx context.Context, cfg Config) (string, error) { return setupCA(ctx, cfg) }

// LeafCSR is a fresh P-256 CSR in PEM (for test/scale).
func LeafCSR() ([]byte, error) { return leafCSR() }
