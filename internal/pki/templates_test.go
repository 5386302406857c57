package pki

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

// wantTemplate is the expected base-template content, written out from the
// UsingTemplates.md tables (not derived from the registry under test).
type wantTemplate struct {
	ca      bool
	pathLen int // -1 none
	bcCrit  bool
	ku      x509.KeyUsage // 0: from passthrough
	eku     []string      // nil: from passthrough
	ekuCrit bool
	root    bool
}

const (
	oidServerAuth  = "1.3.6.1.5.5.7.3.1"
	oidClientAuth  = "1.3.6.1.5.5.7.3.2"
	oidCodeSigning = "1.3.6.1.5.5.7.3.3"
	oidEmailProt   = "1.3.6.1.5.5.7.3.4"
	oidOCSPSigning = "1.3.6.1.5.5.7.3.9"
	oidCustomEKU   = "1.3.6.1.4.1.99999.2"
	oidCSRCustom   = "1.3.6.1.4.1.99999.1"
	oidAPICustom   = "1.3.6.1.4.1.99999.3"
	oidAPIPolicy   = "1.3.6.1.4.1.99999.4"
)

var eeKU = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
var caKU = x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign | x509.KeyUsageCRLSign

func baseWant(name string) wantTemplate {
	switch {
	case name == "EndEntityCertificate":
		return wantTemplate{pathLen: -1, ku: eeKU, eku: []string{oidServerAuth, oidClientAuth}}
	case name == "EndEntityClientAuthCertificate":
		return wantTemplate{pathLen: -1, ku: eeKU, eku: []string{oidClientAuth}}
	case name == "EndEntityServerAuthCertificate":
		return wantTemplate{pathLen: -1, ku: eeKU, eku: []string{oidServerAuth}}
	case name == "CodeSigningCertificate":
		return wantTemplate{pathLen: -1, ku: x509.KeyUsageDigitalSignature, eku: []string{oidCodeSigning}, ekuCrit: true}
	case name == "OCSPSigningCertificate":
		return wantTemplate{pathLen: -1, ku: x509.KeyUsageDigitalSignature, eku: []string{oidOCSPSigning}, ekuCrit: true}
	case name == "RootCACertificate":
		return wantTemplate{ca: true, pathLen: -1, bcCrit: true, ku: caKU, root: true}
	case strings.HasPrefix(name, "SubordinateCACertificate_PathLen"):
		return wantTemplate{ca: true, pathLen: int(name[len(name)-1] - '0'), bcCrit: true, ku: caKU}
	case name == "BlankEndEntityCertificate":
		return wantTemplate{pathLen: -1}
	case name == "BlankEndEntityCertificate_CriticalBasicConstraints":
		return wantTemplate{pathLen: -1, bcCrit: true}
	case strings.HasPrefix(name, "BlankSubordinateCACertificate_PathLen"):
		return wantTemplate{ca: true, pathLen: int(name[len(name)-1] - '0'), bcCrit: true}
	}
	panic("unknown template " + name)
}

// allTemplateNames is the full §2.6 list.
func allTemplateNames() []string {
	var out []string
	v4 := []string{"", "_CSRPassthrough", "_APIPassthrough", "_APICSRPassthrough"}
	v3 := v4[1:]
	for _, b := range []string{"CodeSigningCertificate", "EndEntityCertificate", "EndEntityClientAuthCertificate", "EndEntityServerAuthCertificate", "OCSPSigningCertificate"} {
		for _, v := range v4 {
			out = append(out, b+v)
		}
	}
	for _, n := range []string{"0", "1", "2", "3"} {
		for _, v := range v4 {
			out = append(out, "SubordinateCACertificate_PathLen"+n+v)
		}
		for _, v := range v3 {
			out = append(out, "BlankSubordinateCACertificate_PathLen"+n+v)
		}
	}
	for _, v := range v3 {
		out = append(out, "BlankEndEntityCertificate"+v, "BlankEndEntityCertificate_CriticalBasicConstraints"+v)
	}
	return append(out, "RootCACertificate", "RootCACertificate_APIPassthrough")
}

func TestTemplateRegistry(t *testing.T) {
	var want []string
	for _, n := range allTemplateNames() {
		want = append(want, "arn:aws:acm-pca:::template/"+n+"/V1")
	}
	slices.Sort(want)
	if got := TemplateARNs(); !slices.Equal(got, want) {
		t.Fatalf("TemplateARNs() = %d entries, want %d:\ngot  %v\nwant %v", len(got), len(want), got, want)
	}
	for _, arn := range []string{"arn:aws:acm-pca:::template/Nope/V1", "arn:aws:acm-pca:::template/EndEntityCertificate/V2", "garbage"} {
		_, err := LookupTemplate(arn)
		wantKind(t, err, InvalidArgs)
	}
	if tm, err := LookupTemplate(""); err != nil || tm.Name != "EndEntityCertificate" {
		t.Fatalf("default template = %v, %v", tm, err)
	}
}

func extByOID(c *x509.Certificate, oid string) *pkix.Extension {
	for i := range c.Extensions {
		if c.Extensions[i].Id.String() == oid {
			return &c.Extensions[i]
		}
	}
	return nil
}

func ekuOIDs(t *testing.T, c *x509.Certificate) ([]string, bool) {
	e := extByOID(c, "2.5.29.37")
	if e == nil {
		return nil, false
	}
	var oids []asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(e.Value, &oids); err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, o := range oids {
		s = append(s, o.String())
	}
	return s, e.Critical
}

func spkiKeyID(t *testing.T, c *x509.Certificate) []byte {
	var spki struct {
		Alg pkix.AlgorithmIdentifier
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		t.Fatal(err)
	}
	h := sha1.Sum(spki.Key.Bytes)
	return h[:]
}

// passthroughCSR builds a CSR whose extensions exercise CSR passthrough.
func passthroughCSR(t *testing.T, key crypto.Signer, ca bool) []byte {
	ku := keyUsageExt(kuDigitalSignature | kuNonRepudiation)
	if ca {
		ku = keyUsageExt(kuDigitalSignature | kuKeyCertSign | kuCRLSign)
	}
	customVal, _ := asn1.Marshal("csr")
	return makeCSR(t, key, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "csr subject"},
		DNSNames: []string{"csr.example.com"},
		ExtraExtensions: []pkix.Extension{
			ku,
			ekuExt([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 4}}, false),
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Value: customVal},
		},
	})
}

func passthroughAPI(ca bool) *APIPassthrough {
	ku := &KeyUsage{DigitalSignature: true}
	if ca {
		ku = &KeyUsage{KeyCertSign: true, CRLSign: true}
	}
	customVal, _ := asn1.Marshal("api")
	return &APIPassthrough{
		Subject: &ASN1Subject{Organization: "API Org", CommonName: "api subject"},
		Extensions: &Extensions{
			KeyUsage:                ku,
			ExtendedKeyUsage:        []ExtendedKeyUsage{{ExtendedKeyUsageType: "CLIENT_AUTH"}, {ExtendedKeyUsageObjectIdentifier: oidCustomEKU}},
			SubjectAlternativeNames: []GeneralName{{DnsName: "api.example.com"}, {IpAddress: "192.0.2.7"}},
			CertificatePolicies:     []PolicyInformation{{CertPolicyId: oidAPIPolicy, PolicyQualifiers: []PolicyQualifierInfo{{PolicyQualifierId: "CPS", Qualifier: Qualifier{CpsUri: "https://example.com/cps"}}}}},
			CustomExtensions:        []CustomExtension{{ObjectIdentifier: oidAPICustom, Value: base64.StdEncoding.EncodeToString(customVal)}},
		},
	}
}

func TestEveryTemplate(t *testing.T) {
	root := newRoot(t, RSA2048, 0, Validity{Type: ValidityYears, Value: 10})
	leafKey := testKey(t, RSA2048, 1)
	crl := []string{"http://crl.example.com/crl/ca.crl"}
	ocsp := []string{"http://ocsp.example.com"}
	for _, name := range allTemplateNames() {
		t.Run(name, func(t *testing.T) {
			base, api, csrPT := name, false, false
			switch {
			case strings.HasSuffix(name, "_APICSRPassthrough"):
				base, api, csrPT = strings.TrimSuffix(name, "_APICSRPassthrough"), true, true
			case strings.HasSuffix(name, "_APIPassthrough"):
				base, api = strings.TrimSuffix(name, "_APIPassthrough"), true
			case strings.HasSuffix(name, "_CSRPassthrough"):
				base, csrPT = strings.TrimSuffix(name, "_CSRPassthrough"), true
			}
			w := baseWant(base)
			req := &IssueRequest{
				SigningAlgorithm:      SHA256WithRSA,
				TemplateARN:           "arn:aws:acm-pca:::template/" + name + "/V1",
				Validity:              Validity{Type: ValidityYears, Value: 1},
				APIPassthrough:        passthroughAPI(w.ca),
				Now:                   testNow,
				CRLDistributionPoints: crl,
				OCSPURLs:              ocsp,
			}
			var issuer *x509.Certificate
			if w.root {
				req.CSR = passthroughCSR(t, root.signer, true)
				req.IssuerSigner = root.signer
			} else {
				req.CSR = passthroughCSR(t, leafKey, w.ca)
				req.Issuer, req.IssuerSigner, issuer = root.cert, root.signer, root.cert
			}
			der, err := Issue(req)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			c := mustParse(t, der)
			var allow []string
			if base == "EndEntityClientAuthCertificate" {
				// AWS's template pairs keyEncipherment with clientAuth; zlint's
				// strict reading of RFC 5280 §4.2.1.12 calls that inconsistent.
				allow = []string{"e_key_usage_and_extended_key_usage_inconsistent"}
			}
			lintCert(t, der, allow...)

			// basicConstraints
			bc := extByOID(c, "2.5.29.19")
			if bc == nil || bc.Critical != w.bcCrit || !c.BasicConstraintsValid || c.IsCA != w.ca {
				t.Errorf("basicConstraints = %+v IsCA=%v, want CA=%v critical=%v", bc, c.IsCA, w.ca, w.bcCrit)
			}
			gotPath := c.MaxPathLen
			if gotPath == 0 && !c.MaxPathLenZero {
				gotPath = -1
			}
			if gotPath != w.pathLen {
				t.Errorf("pathLen = %d, want %d", gotPath, w.pathLen)
			}
			// keyUsage: template > API > CSR
			wantKU := w.ku
			switch {
			case wantKU != 0:
			case api && w.ca:
				wantKU = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
			case api:
				wantKU = x509.KeyUsageDigitalSignature
			case csrPT && w.ca:
				wantKU = caKU
			case csrPT:
				wantKU = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
			}
			if c.KeyUsage != wantKU {
				t.Errorf("KeyUsage = %b, want %b", c.KeyUsage, wantKU)
			}
			if ku := extByOID(c, "2.5.29.15"); wantKU != 0 && (ku == nil || !ku.Critical) {
				t.Errorf("keyUsage extension %+v, want critical", ku)
			}
			// EKU: template > API > CSR
			wantEKU, wantEKUCrit := w.eku, w.ekuCrit
			switch {
			case wantEKU != nil:
			case api:
				wantEKU = []string{oidClientAuth, oidCustomEKU}
			case csrPT:
				wantEKU = []string{oidEmailProt}
			}
			gotEKU, gotEKUCrit := ekuOIDs(t, c)
			if !slices.Equal(gotEKU, wantEKU) || gotEKUCrit != wantEKUCrit {
				t.Errorf("EKU = %v critical=%v, want %v critical=%v", gotEKU, gotEKUCrit, wantEKU, wantEKUCrit)
			}
			// Subject and SAN: API when the template takes it, else CSR.
			wantCN, wantDNS := "csr subject", []string{"csr.example.com"}
			if api {
				wantCN, wantDNS = "api subject", []string{"api.example.com"}
			}
			if c.Subject.CommonName != wantCN || !slices.Equal(c.DNSNames, wantDNS) {
				t.Errorf("subject CN %q DNS %v, want %q %v", c.Subject.CommonName, c.DNSNames, wantCN, wantDNS)
			}
			if api && (len(c.IPAddresses) != 1 || c.IPAddresses[0].String() != "192.0.2.7") {
				t.Errorf("IP SANs = %v", c.IPAddresses)
			}
			// Extensions only a passthrough brings.
			if got := extByOID(c, oidCSRCustom) != nil; got != csrPT {
				t.Errorf("CSR custom extension present=%v, want %v", got, csrPT)
			}
			if got := extByOID(c, oidAPICustom) != nil; got != api {
				t.Errorf("API custom extension present=%v, want %v", got, api)
			}
			if got := len(c.PolicyIdentifiers) == 1 && c.PolicyIdentifiers[0].String() == oidAPIPolicy; got != api {
				t.Errorf("API certificate policy present=%v, want %v (%v)", got, api, c.PolicyIdentifiers)
			}
			// SKI from the CSR key; AKI = issuer SKI except for roots.
			if !bytes.Equal(c.SubjectKeyId, spkiKeyID(t, c)) {
				t.Errorf("SKI %x, want %x", c.SubjectKeyId, spkiKeyID(t, c))
			}
			if w.root {
				if c.AuthorityKeyId != nil || extByOID(c, "2.5.29.31") != nil || c.OCSPServer != nil {
					t.Errorf("root has AKI %x / CDP / AIA %v", c.AuthorityKeyId, c.OCSPServer)
				}
				if err := c.CheckSignatureFrom(c); err != nil {
					t.Errorf("root not self-signed: %v", err)
				}
				return
			}
			if !bytes.Equal(c.AuthorityKeyId, issuer.SubjectKeyId) {
				t.Errorf("AKI %x, want issuer SKI %x", c.AuthorityKeyId, issuer.SubjectKeyId)
			}
			if !slices.Equal(c.CRLDistributionPoints, crl) {
				t.Errorf("CDP = %v, want %v", c.CRLDistributionPoints, crl)
			}
			wantAIA := !api && !csrPT
			if got := slices.Equal(c.OCSPServer, ocsp); got != wantAIA {
				t.Errorf("OCSP AIA = %v, want present=%v", c.OCSPServer, wantAIA)
			}
			roots := x509.NewCertPool()
			roots.AddCert(root.cert)
			if _, err := c.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: testNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}
