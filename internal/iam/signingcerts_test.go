package iam

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

func testCertPEM(t testing.TB) string {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "signer"}, NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestParseSigningCert(t *testing.T) {
	good := testCertPEM(t)
	block, _ := pem.Decode([]byte(good))
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"PEM certificate", good, true},
		{"trailing newlines", good + "\n\n", true},
		{"two certificates", good + good, false},
		{"private key block", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: block.Bytes})), false},
		{"corrupt DER", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes[:40]})), false},
		{"not PEM", "invalid-certificate-body", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSigningCert(tc.body)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && KindOf(err) != MalformedCertificate {
				t.Fatalf("kind %v", KindOf(err))
			}
		})
	}
}

func FuzzParseSigningCert(f *testing.F) {
	f.Add(testCertPEM(f))
	f.Add("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")
	f.Fuzz(func(t *testing.T, body string) {
		c, err := parseSigningCert(body)
		if err == nil && c == nil || err != nil && KindOf(err) != MalformedCertificate {
			t.Fatalf("parseSigningCert = %v, %v", c, err)
		}
	})
}
