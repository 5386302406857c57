package pca

import (
	"strings"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/pki"
)

func TestIdempotency(t *testing.T) {
	e := newEnv(t, Config{})
	in := &CreateCertificateAuthorityInput{CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "Idem"),
		CertificateAuthorityType: "ROOT", IdempotencyToken: "tok-1"}
	a, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), in)
	if err != nil || b.CertificateAuthorityArn != a.CertificateAuthorityArn {
		t.Fatalf("same token gave %v, %v", b, err)
	}
	other, err := e.svc.CreateCertificateAuthority(bg, rootCaller("444455556666"), in)
	if err != nil || other.CertificateAuthorityArn == a.CertificateAuthorityArn {
		t.Fatalf("another account shares the token: %v %v", other, err)
	}
	e.clk.Advance(5*time.Minute + time.Second)
	c, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), in)
	if err != nil || c.CertificateAuthorityArn == a.CertificateAuthorityArn {
		t.Fatalf("token honoured after the window: %v %v", c, err)
	}

	root := e.activeRoot(pki.ECPrime256v1, 10)
	issue := &IssueCertificateInput{CertificateAuthorityArn: root, Csr: leafCSR(t, "i.example.com"), SigningAlgorithm: "SHA256WITHECDSA",
		Validity: days(30), IdempotencyToken: "cert-tok"}
	first, err := e.svc.IssueCertificate(bg, rootCaller(acct), issue)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.IssueCertificate(bg, rootCaller(acct), issue)
	if err != nil || again.CertificateArn != first.CertificateArn {
		t.Fatalf("same token issued again: %v %v", again, err)
	}
	e.clk.Advance(6 * time.Minute)
	later, err := e.svc.IssueCertificate(bg, rootCaller(acct), issue)
	if err != nil || later.CertificateArn == first.CertificateArn {
		t.Fatalf("token honoured after the window: %v %v", later, err)
	}
}

func TestQuotaCountsDeleted(t *testing.T) {
	e := newEnv(t, Config{CAQuota: 2})
	a := e.create("ROOT", pki.ECPrime256v1, "A")
	e.create("ROOT", pki.ECPrime256v1, "B")
	_, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "C"), CertificateAuthorityType: "ROOT"})
	wantKind(t, err, ErrLimitExceeded)
	seven := int32(7)
	if _, err := e.svc.DeleteCertificateAuthority(bg, rootCaller(acct), &DeleteCertificateAuthorityInput{CertificateAuthorityArn: a, PermanentDeletionTimeInDays: &seven}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &CreateCertificateAuthorityInput{
		CertificateAuthorityConfiguration: caConfig(pki.ECPrime256v1, "C"), CertificateAuthorityType: "ROOT"})
	wantKind(t, err, ErrLimitExceeded)
	e.clk.Advance(8 * 24 * time.Hour)
	e.create("ROOT", pki.ECPrime256v1, "C")
}

func TestCreateBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	f := false
	cname := "http://crl.example.com"
	cases := []struct {
		name string
		in   CreateCertificateAuthorityInput
		want error
	}{
		{"algorithm family mismatch", CreateCertificateAuthorityInput{CertificateAuthorityConfiguration: &CertificateAuthorityConfiguration{
			KeyAlgorithm: "EC_prime256v1", SigningAlgorithm: "SHA256WITHRSA", Subject: &ASN1Subject{CommonName: "x"}}}, ErrInvalidArgs},
		{"ML-DSA not supported", CreateCertificateAuthorityInput{CertificateAuthorityConfiguration: &CertificateAuthorityConfiguration{
			KeyAlgorithm: "ML_DSA_65", SigningAlgorithm: "ML_DSA_65", Subject: &ASN1Subject{CommonName: "x"}}}, ErrInvalidArgs},
		{"custom and standard subject", CreateCertificateAuthorityInput{CertificateAuthorityConfiguration: &CertificateAuthorityConfiguration{
			KeyAlgorithm: "EC_prime256v1", SigningAlgorithm: "SHA256WITHECDSA", Subject: &ASN1Subject{CommonName: "x",
				CustomAttributes: []pki.CustomAttribute{{ObjectIdentifier: "2.5.4.3", Value: "y"}}}}}, ErrInvalidArgs},
		{"disabled CRL with fields", CreateCertificateAuthorityInput{RevocationConfiguration: &RevocationConfiguration{
			CrlConfiguration: &CrlConfiguration{Enabled: &f, S3BucketName: "bucket"}}}, ErrInvalidArgs},
		{"CNAME with scheme", CreateCertificateAuthorityInput{RevocationConfiguration: &RevocationConfiguration{
			OcspConfiguration: &OcspConfiguration{Enabled: new(true), OcspCustomCname: cname}}}, ErrInvalidArgs},
		{"CustomPath with dot segment", CreateCertificateAuthorityInput{RevocationConfiguration: crlOn(func(c *CrlConfiguration) { c.CustomPath = "pki/../../etc" })}, ErrInvalidArgs},
		{"aws: tag", CreateCertificateAuthorityInput{Tags: []Tag{{Key: "aws:x"}}}, ErrInvalidTag},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.CertificateAuthorityType = "ROOT"
			if in.CertificateAuthorityConfiguration == nil {
				in.CertificateAuthorityConfiguration = caConfig(pki.ECPrime256v1, "Bad")
			}
			_, err := e.svc.CreateCertificateAuthority(bg, rootCaller(acct), &in)
			wantKind(t, err, tc.want)
			list, err := e.svc.ListCertificateAuthorities(bg, rootCaller(acct), &ListCertificateAuthoritiesInput{})
			if err != nil || len(list.CertificateAuthorities) != 0 {
				t.Fatalf("a refused create stored a CA: %+v %v", list, err)
			}
		})
	}
}

func TestTagsAndAuthorization(t *testing.T) {
	e := newEnv(t, Config{})
	arn := e.create("ROOT", pki.ECPrime256v1, "Tagged")
	val := func(s string) *string { return &s }
	tag := func(tags ...Tag) error {
		_, err := e.svc.TagCertificateAuthority(bg, rootCaller(acct), &TagCertificateAuthorityInput{CertificateAuthorityArn: arn, Tags: tags})
		return err
	}
	if err := tag(Tag{Key: "team", Value: val("pki")}, Tag{Key: "env", Value: val("prod")}, Tag{Key: "n"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UntagCertificateAuthority(bg, rootCaller(acct), &UntagCertificateAuthorityInput{CertificateAuthorityArn: arn,
		Tags: []Tag{{Key: "team", Value: val("other")}, {Key: "env"}}}); err != nil {
		t.Fatal(err)
	}
	one := int32(1)
	page, err := e.svc.ListTags(bg, rootCaller(acct), &ListTagsInput{CertificateAuthorityArn: arn, MaxResults: &one})
	if err != nil || len(page.Tags) != 1 || page.Tags[0].Key != "n" || page.NextToken == "" {
		t.Fatalf("first page %+v %v", page, err)
	}
	page2, err := e.svc.ListTags(bg, rootCaller(acct), &ListTagsInput{CertificateAuthorityArn: arn, MaxResults: &one, NextToken: page.NextToken})
	if err != nil || len(page2.Tags) != 1 || page2.Tags[0].Key != "team" || *page2.Tags[0].Value != "pki" || page2.NextToken != "" {
		t.Fatalf("second page %+v %v", page2, err)
	}
	_, err = e.svc.ListTags(bg, rootCaller(acct), &ListTagsInput{CertificateAuthorityArn: arn, NextToken: page.NextToken + "x"})
	wantKind(t, err, ErrInvalidNextToken)

	many := make([]Tag, 49)
	for i := range many {
		many[i] = Tag{Key: "k" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Value: val("v")}
	}
	wantKind(t, tag(many...), ErrTooManyTags)

	// A user with no identity policy is denied; another account's root too.
	_, err = e.svc.DescribeCertificateAuthority(bg, userCaller(acct, "bob"), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if !isDenied(err) {
		t.Fatalf("user without policy: %v", err)
	}
	_, err = e.svc.DescribeCertificateAuthority(bg, rootCaller("444455556666"), &DescribeCertificateAuthorityInput{CertificateAuthorityArn: arn})
	if !isDenied(err) {
		t.Fatalf("other account: %v", err)
	}
	list, err := e.svc.ListCertificateAuthorities(bg, rootCaller("444455556666"), &ListCertificateAuthoritiesInput{})
	if err != nil || len(list.CertificateAuthorities) != 0 {
		t.Fatalf("other account lists %+v %v", list, err)
	}
}

func TestListPagination(t *testing.T) {
	e := newEnv(t, Config{})
	for _, cn := range []string{"A", "B", "C"} {
		e.create("ROOT", pki.ECPrime256v1, cn)
		e.clk.Advance(time.Second)
	}
	two := int32(2)
	p1, err := e.svc.ListCertificateAuthorities(bg, rootCaller(acct), &ListCertificateAuthoritiesInput{MaxResults: &two})
	if err != nil || len(p1.CertificateAuthorities) != 2 || p1.NextToken == "" {
		t.Fatalf("page 1 %+v %v", p1, err)
	}
	p2, err := e.svc.ListCertificateAuthorities(bg, rootCaller(acct), &ListCertificateAuthoritiesInput{MaxResults: &two, NextToken: p1.NextToken})
	if err != nil || len(p2.CertificateAuthorities) != 1 || p2.NextToken != "" ||
		p2.CertificateAuthorities[0].CertificateAuthorityConfiguration.Subject.CommonName != "C" {
		t.Fatalf("page 2 %+v %v", p2, err)
	}
	other, err := e.svc.ListCertificateAuthorities(bg, rootCaller(acct), &ListCertificateAuthoritiesInput{ResourceOwner: "OTHER_ACCOUNTS"})
	if err != nil || len(other.CertificateAuthorities) != 0 {
		t.Fatalf("OTHER_ACCOUNTS %+v %v", other, err)
	}
	_, err = e.svc.ListCertificateAuthorities(bg, rootCaller("444455556666"), &ListCertificateAuthoritiesInput{NextToken: p1.NextToken})
	wantKind(t, err, ErrInvalidNextToken)
}

// TestRevocationNames: CustomPath, CustomCname and OcspCustomCname end up
// in URLs and file names, so only plain paths and DNS names pass.
func TestRevocationNames(t *testing.T) {
	long := strings.Repeat("a", 63)
	cases := []struct {
		name              string
		path, cname, ocsp string
		ok                bool
	}{
		{name: "defaults", ok: true},
		{name: "plain values", path: "pki/crls", cname: "crl.example.com", ocsp: "OCSP-1.Example.com", ok: true},
		{name: "slashes trimmed", path: "/pki/crls/", ok: true},
		{name: "dots inside a segment", path: "v1.2/crl~x_y-z", ok: true},
		{name: "single label", cname: "localhost", ok: true},
		{name: "path dot-dot", path: "pki/../x"},
		{name: "path dot segment", path: "./pki"},
		{name: "path only dot-dot", path: ".."},
		{name: "path empty segment", path: "pki//crls"},
		{name: "path query", path: "pki?x=1"},
		{name: "path fragment", path: "pki#x"},
		{name: "path space", path: "my pki"},
		{name: "path percent", path: "pki%2F.."},
		{name: "path backslash", path: `pki\x`},
		{name: "path non-ASCII", path: "pkí"},
		{name: "cname with path", cname: "crl.example.com/x"},
		{name: "cname with port", cname: "crl.example.com:8080"},
		{name: "cname with query", cname: "crl.example.com?x"},
		{name: "cname with space", cname: "crl example.com"},
		{name: "cname empty label", cname: "crl..example.com"},
		{name: "cname leading hyphen", cname: "-crl.example.com"},
		{name: "cname label too long", cname: long + "a.example.com"},
		{name: "cname too long", cname: strings.Repeat(long+".", 4) + "com"},
		{name: "cname user info", cname: "user@crl.example.com"},
		{name: "ocsp with fragment", ocsp: "ocsp.example.com#x"},
		{name: "ocsp with path", ocsp: "ocsp.example.com/../x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := crlOn(func(c *CrlConfiguration) { c.CustomPath, c.CustomCname = tc.path, tc.cname })
			rc.OcspConfiguration = &OcspConfiguration{Enabled: boolp(true), OcspCustomCname: tc.ocsp}
			err := validateRevocation(rc)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantKind(t, err, ErrInvalidArgs)
		})
	}
}
