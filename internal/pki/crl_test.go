package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"
)

func TestBuildCRL(t *testing.T) {
	ca := newRoot(t, ECPrime256v1, 0, Validity{Value: 5, Type: "YEARS"})
	rsaCA := newRoot(t, RSA2048, 0, Validity{Value: 5, Type: "YEARS"})
	at := testNow.Add(-time.Hour)
	all := []RevokedCert{}
	for i, r := range []RevocationReason{ReasonUnspecified, ReasonKeyCompromise, ReasonCertificateAuthorityCompromise,
		ReasonAffiliationChanged, ReasonSuperseded, ReasonCessationOfOperation, ReasonPrivilegeWithdrawn, ReasonAACompromise} {
		all = append(all, RevokedCert{Serial: big.NewInt(int64(1000 + i)), RevokedAt: at, Reason: r})
	}
	wantCodes := []int{0, 1, 2, 3, 4, 5, 9, 10}
	tests := []struct {
		name    string
		ca      *testCA
		alg     SigningAlgorithm
		entries []RevokedCert
		dp      string
		wantSig x509.SignatureAlgorithm
		wantErr bool
	}{
		{name: "empty EC", ca: ca, wantSig: x509.ECDSAWithSHA256},
		{name: "every reason", ca: ca, entries: all, wantSig: x509.ECDSAWithSHA256},
		{name: "partitioned", ca: ca, entries: all[:1], dp: "http://pki.example.com/crl/x.crl", wantSig: x509.ECDSAWithSHA256},
		{name: "RSA SHA384", ca: rsaCA, alg: SHA384WithRSA, entries: all[1:3], wantSig: x509.SHA384WithRSA},
		{name: "bad reason", ca: ca, entries: []RevokedCert{{Serial: big.NewInt(1), RevokedAt: at, Reason: "NOPE"}}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der, err := BuildCRL(&CRLRequest{Issuer: tc.ca.cert, Signer: tc.ca.signer, SigningAlgorithm: tc.alg, Number: big.NewInt(7),
				ThisUpdate: testNow, NextUpdate: testNow.AddDate(0, 0, 7), Entries: tc.entries, DistributionPoint: tc.dp})
			if tc.wantErr {
				wantKind(t, err, InvalidArgs)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			crl, err := x509.ParseRevocationList(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := crl.CheckSignatureFrom(tc.ca.cert); err != nil {
				t.Fatalf("signature: %v", err)
			}
			if crl.SignatureAlgorithm != tc.wantSig {
				t.Errorf("signature algorithm %v, want %v", crl.SignatureAlgorithm, tc.wantSig)
			}
			if crl.Number.Int64() != 7 || !crl.ThisUpdate.Equal(testNow) || !crl.NextUpdate.Equal(testNow.AddDate(0, 0, 7)) {
				t.Errorf("number/this/next = %v %v %v", crl.Number, crl.ThisUpdate, crl.NextUpdate)
			}
			if !bytes.Equal(crl.AuthorityKeyId, tc.ca.cert.SubjectKeyId) || len(crl.AuthorityKeyId) == 0 {
				t.Errorf("AKI %x, want %x", crl.AuthorityKeyId, tc.ca.cert.SubjectKeyId)
			}
			if !bytes.Equal(crl.RawIssuer, tc.ca.cert.RawSubject) {
				t.Error("issuer differs from the CA subject")
			}
			if len(crl.RevokedCertificateEntries) != len(tc.entries) {
				t.Fatalf("%d entries, want %d", len(crl.RevokedCertificateEntries), len(tc.entries))
			}
			for i, e := range crl.RevokedCertificateEntries {
				want := tc.entries[i]
				code, _ := want.Reason.ReasonCode()
				if e.SerialNumber.Cmp(want.Serial) != 0 || !e.RevocationTime.Equal(want.RevokedAt) || e.ReasonCode != code {
					t.Errorf("entry %d = %v %v %d, want %v %v %d", i, e.SerialNumber, e.RevocationTime, e.ReasonCode, want.Serial, want.RevokedAt, code)
				}
			}
			if tc.name == "every reason" {
				for i, e := range crl.RevokedCertificateEntries {
					if e.ReasonCode != wantCodes[i] {
						t.Errorf("reason %s → %d, want %d", tc.entries[i].Reason, e.ReasonCode, wantCodes[i])
					}
				}
			}
			var idp *struct {
				critical bool
				value    []byte
			}
			for _, ext := range crl.Extensions {
				if ext.Id.Equal(oidExtIssuingDistributionPoint) {
					idp = &struct {
						critical bool
						value    []byte
					}{ext.Critical, ext.Value}
				}
			}
			if (idp != nil) != (tc.dp != "") {
				t.Fatalf("IDP present = %v, want %v", idp != nil, tc.dp != "")
			}
			if idp != nil {
				if !idp.critical {
					t.Error("IDP is not critical")
				}
				// IssuingDistributionPoint { [0] { [0] { [6] uri } } }
				var outer asn1.RawValue
				if _, err := asn1.Unmarshal(idp.value, &outer); err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(outer.Bytes, []byte(tc.dp)) || outer.Bytes[0] != 0xa0 || outer.Bytes[2] != 0xa0 || outer.Bytes[4] != 0x86 {
					t.Errorf("IDP encoding %x", idp.value)
				}
			}
		})
	}
}

func TestRevocationReasonCodes(t *testing.T) {
	if _, ok := RevocationReason("REMOVE_FROM_CRL").ReasonCode(); ok {
		t.Error("removeFromCRL is not an acm-pca reason")
	}
	if c, ok := ReasonAACompromise.ReasonCode(); !ok || c != 10 {
		t.Errorf("A_A_COMPROMISE = %d %v", c, ok)
	}
}

// BenchmarkCRL100k measures signing a CRL with 100,000 revoked entries
// (P-256 CA key).
func BenchmarkCRL100k(b *testing.B) {
	ca := newRoot(b, ECPrime256v1, 0, Validity{Value: 5, Type: "YEARS"})
	entries := make([]RevokedCert, 100_000)
	for i := range entries {
		s, err := NewSerial(nil)
		if err != nil {
			b.Fatal(err)
		}
		entries[i] = RevokedCert{Serial: s, RevokedAt: testNow.Add(-time.Duration(i) * time.Second), Reason: ReasonKeyCompromise}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var size int
	for b.Loop() {
		der, err := BuildCRL(&CRLRequest{Issuer: ca.cert, Signer: ca.signer, Number: big.NewInt(1),
			ThisUpdate: testNow, NextUpdate: testNow.AddDate(0, 0, 7), Entries: entries})
		if err != nil {
			b.Fatal(err)
		}
		size = len(der)
	}
	b.ReportMetric(float64(size), "bytes/crl")
}
