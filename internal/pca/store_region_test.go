package pca

import "testing"

// TestRegionBackfill: CAs stored before migration 0007 have no region; the
// next start gives them the region of their ARN, so they stay visible
// there, listed and counted.
func TestRegionBackfill(t *testing.T) {
	e := newEnv(t, Config{Region: "eu-west-1"})
	arn := e.create("ROOT", "EC_prime256v1", "Old Root")
	if _, err := e.db.ExecContext(bg, `UPDATE pca_cas SET region = ''`); err != nil {
		t.Fatal(err)
	}
	e.reopen()
	var region string
	if err := e.db.QueryRowContext(bg, `SELECT region FROM pca_cas`).Scan(&region); err != nil {
		t.Fatal(err)
	}
	if region != "eu-west-1" {
		t.Fatalf("region %q after start-up, want eu-west-1 (from %s)", region, arn)
	}
	c := rootCaller(acct)
	c.Region = "eu-west-1"
	if _, err := e.svc.DescribeCertificateAuthority(bg, c, &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn}); err != nil {
		t.Fatal(err)
	}
	out, err := e.svc.ListCertificateAuthorities(bg, c, &ListCertificateAuthoritiesInput{})
	if err != nil || len(out.CertificateAuthorities) != 1 {
		t.Fatalf("list: %v %v", out, err)
	}
}

// TestQuotaPerRegion: AWS counts the CA quota per account and region.
func TestQuotaPerRegion(t *testing.T) {
	e := newEnv(t, Config{CAQuota: 1})
	for _, region := range []string{"us-east-1", "us-west-2"} {
		c := rootCaller(acct)
		c.Region = region
		if _, err := e.svc.CreateCertificateAuthority(bg, c, &CreateCertificateAuthorityInput{
			CertificateAuthorityConfiguration: caConfig("EC_prime256v1", "R"), CertificateAuthorityType: "ROOT"}); err != nil {
			t.Fatalf("%s: %v", region, err)
		}
	}
	c := rootCaller(acct)
	c.Region = "us-west-2"
	_, err := e.svc.CreateCertificateAuthority(bg, c, &CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: caConfig("EC_prime256v1", "R"), CertificateAuthorityType: "ROOT"})
	wantKind(t, err, ErrLimitExceeded)
}
