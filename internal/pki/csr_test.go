package pki

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParseCSR(t *testing.T) {
	key := testKey(t, ECPrime256v1, 0)
	good := simpleCSR(t, key, "ok.example.com")
	block, _ := pem.Decode(good)
	der := block.Bytes

	broken := bytes.Clone(der)
	broken[len(broken)-1] ^= 0xff

	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})

	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"PEM", good, true},
		{"PEM with surrounding whitespace", append(append([]byte("\n  \n"), good...), "\n\n"...), true},
		{"legacy NEW CERTIFICATE REQUEST", pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: der}), true},
		{"DER", der, true},
		{"RSA 4096", simpleCSR(t, testKey(t, RSA4096, 0), "big"), true},
		{"P-521", simpleCSR(t, testKey(t, ECSecp521r1, 0), "p521"), true},
		{"empty", nil, false},
		{"garbage", []byte("this is not a CSR"), false},
		{"truncated PEM", good[:len(good)/2], false},
		{"certificate PEM type", cert, false},
		{"trailing garbage after PEM", append(bytes.Clone(good), "junk"...), false},
		{"two PEM blocks", append(bytes.Clone(good), good...), false},
		{"DER with trailing bytes", append(bytes.Clone(der), 0, 0), false},
		{"broken signature", broken, false},
		{"RSA-1024 key", simpleCSR(t, rsa1024, "weak"), false},
		{"Ed25519 key", simpleCSR(t, edKey, "ed"), false},
		{"common name of 65 characters", simpleCSR(t, key, strings.Repeat("a", 65)), false},
		{"too large", append(bytes.Clone(good), bytes.Repeat([]byte(" "), MaxCSRSize)...), false},
		{"repeated extension", makeCSR(t, key, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "dup"}, ExtraExtensions: []pkix.Extension{keyUsageExt(1), keyUsageExt(1)}}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			csr, err := ParseCSR(tc.data)
			if tc.ok {
				if err != nil || csr == nil {
					t.Fatalf("ParseCSR: %v", err)
				}
				return
			}
			wantKind(t, err, MalformedCSR)
		})
	}
	if _, err := ParseCSR(simpleCSR(t, key, strings.Repeat("a", 64))); err != nil {
		t.Errorf("64-character CN rejected: %v", err)
	}
}

func TestCreateCACSR(t *testing.T) {
	key := testKey(t, ECSecp384r1, 0)
	der, err := CreateCACSR(key, ASN1Subject{Country: "DE", Organization: "Example GmbH", CommonName: "Example CA"},
		&CsrExtensions{KeyUsage: &KeyUsage{KeyCertSign: true, CRLSign: true}, SubjectInformationAccess: []AccessDescription{{AccessMethod: AccessMethod{AccessMethodType: "CA_REPOSITORY"}, AccessLocation: GeneralName{UniformResourceIdentifier: "http://repo.example.com"}}}},
		SHA384WithECDSA)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := ParseCSR(EncodeCSRPEM(der))
	if err != nil {
		t.Fatal(err)
	}
	if csr.Subject.String() != "CN=Example CA,O=Example GmbH,C=DE" {
		t.Errorf("subject = %s", csr.Subject)
	}
	want := map[string]bool{"2.5.29.19": true, "2.5.29.15": true, "1.3.6.1.5.5.7.1.11": false}
	for _, e := range csr.Extensions {
		crit, ok := want[e.Id.String()]
		if !ok || crit != e.Critical {
			t.Errorf("extension %s critical=%v unexpected", e.Id, e.Critical)
		}
		delete(want, e.Id.String())
	}
	if len(want) != 0 {
		t.Errorf("missing extensions %v", want)
	}
	for name, tc := range map[string]struct {
		subject ASN1Subject
		sig     SigningAlgorithm
		kind    Kind
	}{
		"empty subject":          {ASN1Subject{}, SHA384WithECDSA, InvalidArgs},
		"RSA signing for EC key": {ASN1Subject{CommonName: "x"}, SHA256WithRSA, InvalidArgs},
		"custom with standard":   {ASN1Subject{CommonName: "x", CustomAttributes: []CustomAttribute{{"2.5.4.10", "o"}}}, SHA384WithECDSA, InvalidArgs},
	} {
		_, err := CreateCACSR(key, tc.subject, nil, tc.sig)
		if KindOf(err) != tc.kind {
			t.Errorf("%s: %v, want %v", name, err, tc.kind)
		}
	}
}

func FuzzParseCSR(f *testing.F) {
	key := testKey(f, ECPrime256v1, 0)
	good := simpleCSR(f, key, "fuzz.example.com", "fuzz.example.com")
	block, _ := pem.Decode(good)
	f.Add(good)
	f.Add(block.Bytes)
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		csr, err := ParseCSR(data)
		if err == nil && csr == nil {
			t.Fatal("nil CSR without error")
		}
		if err != nil && KindOf(err) != MalformedCSR {
			t.Fatalf("error kind %v: %v", KindOf(err), err)
		}
	})
}
