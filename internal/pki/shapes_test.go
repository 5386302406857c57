package pki

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAWSJSONShapes decodes request fragments written as the acm-pca API
// documents them, rejecting unknown fields, so member names stay AWS's.
func TestAWSJSONShapes(t *testing.T) {
	const apiJSON = `{
	  "Subject": {"Country": "US", "Organization": "Example", "CommonName": "json.example.com"},
	  "Extensions": {
	    "CertificatePolicies": [{"CertPolicyId": "1.3.6.1.4.1.99999.4", "PolicyQualifiers": [{"PolicyQualifierId": "CPS", "Qualifier": {"CpsUri": "https://example.com/cps"}}]}],
	    "ExtendedKeyUsage": [{"ExtendedKeyUsageType": "SERVER_AUTH"}, {"ExtendedKeyUsageObjectIdentifier": "1.3.6.1.4.1.99999.2"}],
	    "KeyUsage": {"DigitalSignature": true, "CRLSign": false},
	    "SubjectAlternativeNames": [{"DnsName": "json.example.com"}, {"OtherName": {"TypeId": "1.3.6.1.4.1.311.20.2.3", "Value": "u@example.com"}}, {"EdiPartyName": {"PartyName": "p", "NameAssigner": "n"}}, {"DirectoryName": {"CustomAttributes": [{"ObjectIdentifier": "2.5.4.3", "Value": "dir"}]}}],
	    "CustomExtensions": [{"ObjectIdentifier": "1.3.6.1.4.1.99999.3", "Value": "DANhcGk=", "Critical": false}]
	  }
	}`
	var api APIPassthrough
	dec := json.NewDecoder(bytes.NewReader([]byte(apiJSON)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&api); err != nil {
		t.Fatal(err)
	}
	var v, nb Validity
	for s, dst := range map[string]*Validity{`{"Value": 365, "Type": "DAYS"}`: &v, `{"Value": 1767225600, "Type": "ABSOLUTE"}`: &nb} {
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst); err != nil {
			t.Fatal(err)
		}
	}
	var csrExt CsrExtensions
	dec = json.NewDecoder(bytes.NewReader([]byte(`{"KeyUsage": {"KeyCertSign": true, "CRLSign": true}, "SubjectInformationAccess": [{"AccessMethod": {"AccessMethodType": "CA_REPOSITORY"}, "AccessLocation": {"UniformResourceIdentifier": "http://repo.example.com"}}]}`)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&csrExt); err != nil {
		t.Fatal(err)
	}

	root := newRoot(t, ECPrime256v1, 0, Validity{Type: ValidityYears, Value: 10})
	der, err := Issue(&IssueRequest{CSR: simpleCSR(t, testKey(t, ECPrime256v1, 1), "ignored"), Issuer: root.cert, IssuerSigner: root.signer, SigningAlgorithm: SHA256WithECDSA,
		TemplateARN: templateARNPrefix + "EndEntityCertificate_APIPassthrough/V1", Validity: v, ValidityNotBefore: &nb, APIPassthrough: &api, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, der)
	if c.Subject.CommonName != "json.example.com" || c.NotBefore.Unix() != 1767225600 || len(c.DNSNames) != 1 {
		t.Errorf("certificate subject %v notBefore %v DNS %v", c.Subject, c.NotBefore, c.DNSNames)
	}
	if extByOID(c, oidAPICustom) == nil || len(c.PolicyIdentifiers) != 1 {
		t.Error("API extensions missing")
	}
	lintCert(t, der)
	if _, err := CreateCACSR(testKey(t, ECPrime256v1, 2), ASN1Subject{CommonName: "CA"}, &csrExt, SHA256WithECDSA); err != nil {
		t.Fatal(err)
	}
}
