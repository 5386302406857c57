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

func TestParseCAARN(t *testing.T) {
	const id = "0b1f0000-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		arn    string
		region string
		ok     bool
	}{
		{"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/" + id, "us-east-1", true},
		{"arn:aws-us-gov:acm-pca:us-gov-east-1:111122223333:certificate-authority/" + id, "us-gov-east-1", true},
		{"arn:aws-cn:acm-pca:cn-north-1:111122223333:certificate-authority/" + id, "cn-north-1", true},
		{"arn:aws-eusc:acm-pca:eusc-de-east-1:111122223333:certificate-authority/" + id, "eusc-de-east-1", true},
		{"arn:aws:acm-pca:us-gov-east-1:111122223333:certificate-authority/" + id, "", false},
		{"arn:aws-us-gov:acm-pca:us-east-1:111122223333:certificate-authority/" + id, "", false},
		{"arn:aws:acm-pca:mars-1:111122223333:certificate-authority/" + id, "", false},
		{"arn:aws:acm-pca::111122223333:certificate-authority/" + id, "", false},
		{"arn:aws:acm:us-east-1:111122223333:certificate-authority/" + id, "", false},
	} {
		region, account, gotID, err := parseCAARN(tc.arn)
		if (err == nil) != tc.ok || region != tc.region {
			t.Errorf("parseCAARN(%s) = %q, %v; want %q ok=%v", tc.arn, region, err, tc.region, tc.ok)
		}
		if tc.ok && caARN(region, account, gotID) != tc.arn {
			t.Errorf("caARN does not round-trip %s", tc.arn)
		}
	}
}

func FuzzParseCAARN(f *testing.F) {
	f.Add("arn:aws-us-gov:acm-pca:us-gov-east-1:111122223333:certificate-authority/0b1f0000-0000-4000-8000-000000000000")
	f.Add("arn:aws:acm-pca:us-east-1:1:certificate-authority/x")
	f.Fuzz(func(t *testing.T, arn string) {
		region, account, id, err := parseCAARN(arn)
		if err == nil && caARN(region, account, id) != arn {
			t.Fatalf("%q parsed but formats as %q", arn, caARN(region, account, id))
		}
	})
}
