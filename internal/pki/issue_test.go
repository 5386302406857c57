package pki

import (
	"crypto/x509"
	"testing"
)

func TestPathLengthAndIssuerRules(t *testing.T) {
	root := newRoot(t, ECPrime256v1, 0, Validity{Type: ValidityYears, Value: 10})
	sub1 := newSub(t, root, ECPrime256v1, 1, "SubordinateCACertificate_PathLen1", Validity{Type: ValidityYears, Value: 5})
	sub0 := newSub(t, sub1, ECPrime256v1, 2, "SubordinateCACertificate_PathLen0", Validity{Type: ValidityYears, Value: 3})
	caCSR, err := CreateCACSR(testKey(t, ECPrime256v1, 3), ASN1Subject{CommonName: "Next"}, nil, SHA256WithECDSA)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		issuer   *testCA
		template string
		wantErr  Kind
	}{
		{"unlimited root issues PathLen3", root, "SubordinateCACertificate_PathLen3", Internal},
		{"pathlen 1 issues PathLen0", sub1, "SubordinateCACertificate_PathLen0", Internal},
		{"pathlen 1 refuses PathLen1", sub1, "SubordinateCACertificate_PathLen1", InvalidArgs},
		{"pathlen 1 refuses blank PathLen2", sub1, "BlankSubordinateCACertificate_PathLen2_APIPassthrough", InvalidArgs},
		{"pathlen 0 refuses PathLen0", sub0, "SubordinateCACertificate_PathLen0", InvalidArgs},
		{"pathlen 0 issues end entities", sub0, "EndEntityCertificate", Internal},
		{"root template on a foreign key", root, "RootCACertificate", InvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der, err := Issue(&IssueRequest{CSR: caCSR, Issuer: tc.issuer.cert, IssuerSigner: tc.issuer.signer, SigningAlgorithm: SHA256WithECDSA,
				TemplateARN: templateARNPrefix + tc.template + "/V1", Validity: Validity{Type: ValidityYears, Value: 1}, Now: testNow,
				APIPassthrough: &APIPassthrough{Extensions: &Extensions{KeyUsage: &KeyUsage{KeyCertSign: true, CRLSign: true, DigitalSignature: true}}}})
			if tc.wantErr != Internal {
				wantKind(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lintCert(t, der)
			c := mustParse(t, der)
			roots, inter := x509.NewCertPool(), x509.NewCertPool()
			roots.AddCert(root.cert)
			inter.AddCert(sub1.cert)
			inter.AddCert(sub0.cert)
			if _, err := c.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: testNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
	t.Run("no issuer for a non-root template", func(t *testing.T) {
		_, err := Issue(&IssueRequest{CSR: caCSR, IssuerSigner: root.signer, SigningAlgorithm: SHA256WithECDSA, Validity: Validity{Type: ValidityDays, Value: 1}, Now: testNow})
		wantKind(t, err, InvalidRequest)
	})
	t.Run("end-entity issuer", func(t *testing.T) {
		der, err := Issue(&IssueRequest{CSR: caCSR, Issuer: root.cert, IssuerSigner: root.signer, SigningAlgorithm: SHA256WithECDSA, Validity: Validity{Type: ValidityDays, Value: 10}, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Issue(&IssueRequest{CSR: caCSR, Issuer: mustParse(t, der), IssuerSigner: testKey(t, ECPrime256v1, 3), SigningAlgorithm: SHA256WithECDSA, Validity: Validity{Type: ValidityDays, Value: 1}, Now: testNow})
		wantKind(t, err, InvalidRequest)
	})
}

func TestSigningAlgorithmFamilies(t *testing.T) {
	tests := []struct {
		alg     KeyAlgorithm
		sig     SigningAlgorithm
		wantErr Kind
	}{
		{RSA2048, SHA256WithRSA, Internal},
		{RSA4096, SHA512WithRSA, Internal},
		{ECPrime256v1, SHA384WithECDSA, Internal},
		{ECSecp521r1, SHA512WithECDSA, Internal},
		{RSA2048, SHA256WithECDSA, InvalidArgs},
		{ECSecp384r1, SHA256WithRSA, InvalidArgs},
		{ECPrime256v1, SM3WithSM2, InvalidArgs},
		{SM2, SM3WithSM2, NotSupported},
		{MLDSA65, SigMLDSA65, NotSupported},
		{MLDSA65, SigMLDSA44, InvalidArgs},
		{RSA2048, "MD5WITHRSA", InvalidArgs},
		{"RSA_1024", SHA256WithRSA, InvalidArgs},
	}
	for _, tc := range tests {
		t.Run(string(tc.alg)+"/"+string(tc.sig), func(t *testing.T) {
			err := CheckSigningAlgorithm(tc.alg, tc.sig)
			if tc.wantErr == Internal {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantKind(t, err, tc.wantErr)
		})
	}
	// Issue enforces it with the CA key.
	root := newRoot(t, RSA2048, 0, Validity{Type: ValidityYears, Value: 10})
	_, err := Issue(&IssueRequest{CSR: simpleCSR(t, testKey(t, ECPrime256v1, 1), "x"), Issuer: root.cert, IssuerSigner: root.signer, SigningAlgorithm: SHA256WithECDSA, Validity: Validity{Type: ValidityDays, Value: 1}, Now: testNow})
	wantKind(t, err, InvalidArgs)
}

func TestGenerateKey(t *testing.T) {
	for _, alg := range KeyAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			k := testKey(t, alg, 0)
			if got, err := KeyAlgorithmOf(k.Public()); err != nil || got != alg {
				t.Fatalf("KeyAlgorithmOf = %v, %v", got, err)
			}
		})
	}
	for alg, kind := range map[KeyAlgorithm]Kind{MLDSA44: NotSupported, MLDSA87: NotSupported, SM2: NotSupported, "RSA_1024": InvalidArgs, "": InvalidArgs} {
		_, err := GenerateKey(alg)
		wantKind(t, err, kind)
	}
}

func TestECKeyDropsKeyEncipherment(t *testing.T) {
	root := newRoot(t, ECPrime256v1, 0, Validity{Type: ValidityYears, Value: 10})
	for _, alg := range []KeyAlgorithm{ECPrime256v1, RSA2048} {
		der, err := Issue(&IssueRequest{CSR: simpleCSR(t, testKey(t, alg, 1), "leaf", "leaf.example.com"), Issuer: root.cert, IssuerSigner: root.signer, SigningAlgorithm: SHA256WithECDSA, Validity: Validity{Type: ValidityDays, Value: 30}, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		want := x509.KeyUsageDigitalSignature
		if alg == RSA2048 {
			want |= x509.KeyUsageKeyEncipherment
		}
		if got := mustParse(t, der).KeyUsage; got != want {
			t.Errorf("%s: KeyUsage = %b, want %b", alg, got, want)
		}
		lintCert(t, der)
	}
}

func TestAPIPassthroughErrors(t *testing.T) {
	root := newRoot(t, ECPrime256v1, 0, Validity{Type: ValidityYears, Value: 10})
	csr := simpleCSR(t, testKey(t, ECPrime256v1, 1), "leaf", "leaf.example.com")
	tests := []struct {
		name string
		api  APIPassthrough
	}{
		{"GeneralName with two choices", APIPassthrough{Extensions: &Extensions{SubjectAlternativeNames: []GeneralName{{DnsName: "a.example.com", IpAddress: "192.0.2.1"}}}}},
		{"GeneralName with no choice", APIPassthrough{Extensions: &Extensions{SubjectAlternativeNames: []GeneralName{{}}}}},
		{"bad IP address", APIPassthrough{Extensions: &Extensions{SubjectAlternativeNames: []GeneralName{{IpAddress: "300.1.1.1"}}}}},
		{"custom and standard subject", APIPassthrough{Subject: &ASN1Subject{CommonName: "x", CustomAttributes: []CustomAttribute{{ObjectIdentifier: "2.5.4.3", Value: "y"}}}}},
		{"common name too long", APIPassthrough{Subject: &ASN1Subject{CommonName: string(make([]byte, 65))}}},
		{"country of three letters", APIPassthrough{Subject: &ASN1Subject{Country: "USA"}}},
		{"serial number not printable", APIPassthrough{Subject: &ASN1Subject{SerialNumber: "a_b"}}},
		{"unknown EKU type", APIPassthrough{Extensions: &Extensions{ExtendedKeyUsage: []ExtendedKeyUsage{{ExtendedKeyUsageType: "FLYING"}}}}},
		{"EKU with both members", APIPassthrough{Extensions: &Extensions{ExtendedKeyUsage: []ExtendedKeyUsage{{ExtendedKeyUsageType: "CLIENT_AUTH", ExtendedKeyUsageObjectIdentifier: "1.2.3"}}}}},
		{"bad OID", APIPassthrough{Extensions: &Extensions{CustomExtensions: []CustomExtension{{ObjectIdentifier: "9.1", Value: "BQA="}}}}},
		{"custom value not base64", APIPassthrough{Extensions: &Extensions{CustomExtensions: []CustomExtension{{ObjectIdentifier: "1.2.3.4", Value: "!!"}}}}},
		{"custom value not DER", APIPassthrough{Extensions: &Extensions{CustomExtensions: []CustomExtension{{ObjectIdentifier: "1.2.3.4", Value: "AAAA"}}}}},
		{"duplicate extension", APIPassthrough{Extensions: &Extensions{KeyUsage: &KeyUsage{DigitalSignature: true}, CustomExtensions: []CustomExtension{{ObjectIdentifier: "2.5.29.15", Value: "AwIHgA=="}}}}},
		{"policy qualifier not CPS", APIPassthrough{Extensions: &Extensions{CertificatePolicies: []PolicyInformation{{CertPolicyId: "1.2.3", PolicyQualifiers: []PolicyQualifierInfo{{PolicyQualifierId: "UNOTICE", Qualifier: Qualifier{CpsUri: "x"}}}}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Issue(&IssueRequest{CSR: csr, Issuer: root.cert, IssuerSigner: root.signer, SigningAlgorithm: SHA256WithECDSA,
				TemplateARN: templateARNPrefix + "BlankEndEntityCertificate_APIPassthrough/V1", Validity: Validity{Type: ValidityDays, Value: 1}, APIPassthrough: &tc.api, Now: testNow})
			wantKind(t, err, InvalidArgs)
			// A base template ignores ApiPassthrough entirely, errors included.
			if _, err := Issue(&IssueRequest{CSR: csr, Issuer: root.cert, IssuerSigner: root.signer, SigningAlgorithm: SHA256WithECDSA,
				Validity: Validity{Type: ValidityDays, Value: 1}, APIPassthrough: &tc.api, Now: testNow}); err != nil {
				t.Errorf("base template did not ignore ApiPassthrough: %v", err)
			}
		})
	}
}

func TestSubjectAndSANRules(t *testing.T) {
	root := newRoot(t, ECPrime256v1, 0, Validity{Type: ValidityYears, Value: 10})
	key := testKey(t, ECPrime256v1, 1)
	issue := func(csr []byte, template string, api *APIPassthrough) ([]byte, error) {
		return Issue(&IssueRequest{CSR: csr, Issuer: root.cert, IssuerSigner: root.signer, SigningAlgorithm: SHA256WithECDSA,
			TemplateARN: templateARNPrefix + template + "/V1", Validity: Validity{Type: ValidityDays, Value: 1}, APIPassthrough: api, Now: testNow})
	}
	empty := makeCSR(t, key, &x509.CertificateRequest{})
	sanOnly := makeCSR(t, key, &x509.CertificateRequest{DNSNames: []string{"only.example.com"}})

	if _, err := issue(empty, "EndEntityCertificate", nil); KindOf(err) != MalformedCSR {
		t.Errorf("no subject and no SAN: %v, want MalformedCSR", err)
	}
	der, err := issue(sanOnly, "EndEntityCertificate", nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := extByOID(mustParse(t, der), "2.5.29.17"); e == nil || !e.Critical {
		t.Errorf("SAN with empty subject must be critical: %+v", e)
	}
	lintCert(t, der)
	// The API may supply what the CSR lacks.
	der, err = issue(empty, "BlankEndEntityCertificate_APIPassthrough", &APIPassthrough{Subject: &ASN1Subject{CustomAttributes: []CustomAttribute{{ObjectIdentifier: "0.9.2342.19200300.100.1.25", Value: "example"}, {ObjectIdentifier: "2.5.4.3", Value: "custom cn"}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, der)
	if c.Subject.CommonName != "custom cn" || len(c.Subject.Names) != 2 {
		t.Errorf("subject = %v", c.Subject)
	}
	// Every standard attribute encodes and round-trips.
	full := ASN1Subject{Country: "US", Organization: "O", OrganizationalUnit: "OU", DistinguishedNameQualifier: "dnq", State: "WA", CommonName: "CN",
		SerialNumber: "1234", Locality: "Seattle", Title: "T", Surname: "S", GivenName: "G", Initials: "I", Pseudonym: "P", GenerationQualifier: "III"}
	der, err = issue(empty, "BlankEndEntityCertificate_APIPassthrough", &APIPassthrough{Subject: &full, Extensions: &Extensions{
		SubjectAlternativeNames: []GeneralName{{Rfc822Name: "a@example.com"}, {UniformResourceIdentifier: "https://example.com"}, {RegisteredId: "1.2.3.4"},
			{DirectoryName: &ASN1Subject{CommonName: "dir"}}, {OtherName: &OtherName{TypeId: "1.3.6.1.4.1.311.20.2.3", Value: "upn@example.com"}},
			{EdiPartyName: &EdiPartyName{PartyName: "party", NameAssigner: "assigner"}}, {IpAddress: "2001:db8::1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	c = mustParse(t, der)
	if len(c.Subject.Names) != 14 || c.Subject.Country[0] != "US" || c.Subject.SerialNumber != "1234" {
		t.Errorf("subject = %v", c.Subject.Names)
	}
	if len(c.EmailAddresses) != 1 || len(c.URIs) != 1 || len(c.IPAddresses) != 1 {
		t.Errorf("SANs email=%v uri=%v ip=%v", c.EmailAddresses, c.URIs, c.IPAddresses)
	}
	lintCert(t, der)
}
