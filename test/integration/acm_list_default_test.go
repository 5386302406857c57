package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
)

// TestACMListCertificatesDefaultPage: without MaxItems ListCertificates
// answers at most 1,000 certificates and a NextToken, as AWS does, instead
// of every certificate of the account (linear in the account's size).
func TestACMListCertificatesDefaultPage(t *testing.T) {
	r := newACMRig(t)
	ctx := context.Background()
	a := creds{key: mgmtKeyID, secret: mgmtSecret}
	c := r.acm(a)
	arn := request(t, c, activeCA(t, r.pca(a)))
	r.work(0)
	// 1,100 more copies of it under new ARNs, older than it.
	if _, err := r.app.DB.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM seq WHERE i < 1100)
		INSERT INTO acm_certificates (id, arn, region, account_id, cert_type, domain_name, sans_json, key_algorithm,
			ca_arn, status, key_blob, cert_der, chain_pem, pca_cert_arn, serial, not_before, not_after, created_at, issued_at)
		SELECT id || '-' || i, arn || '-' || i, region, account_id, cert_type, domain_name, sans_json, key_algorithm,
			ca_arn, status, key_blob, cert_der, chain_pem, pca_cert_arn, serial, not_before, not_after, created_at - i, issued_at
		FROM acm_certificates, seq WHERE arn = $1`, arn); err != nil {
		t.Fatal(err)
	}
	in := &acm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmEcPrime256v1}}}
	first := must[*acm.ListCertificatesOutput](t)(c.ListCertificates(ctx, in))
	if len(first.CertificateSummaryList) != 1000 || first.NextToken == nil {
		t.Fatalf("first page: %d certificates, NextToken %v", len(first.CertificateSummaryList), first.NextToken != nil)
	}
	in.NextToken = first.NextToken
	second := must[*acm.ListCertificatesOutput](t)(c.ListCertificates(ctx, in))
	if len(second.CertificateSummaryList) != 101 || second.NextToken != nil || aws.ToString(second.CertificateSummaryList[100].CertificateArn) != arn {
		t.Fatalf("second page: %d certificates, NextToken %v", len(second.CertificateSummaryList), second.NextToken != nil)
	}
}
