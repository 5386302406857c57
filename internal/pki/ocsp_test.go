package pki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// ocspReq encodes an OCSP request the way clients do, with knobs to break it.
type ocspReq struct {
	hashOID     asn1.ObjectIdentifier
	nameHash    []byte
	keyHash     []byte
	serial      *big.Int
	nonces      [][]byte // raw extnValues
	version     int64    // -1 omits it
	extraCertID bool     // a second Request
	trailing    bool
	signature   bool
}

func (q ocspReq) der(t testing.TB) []byte {
	var b cryptobyte.Builder
	certID := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(q.hashOID)
				b.AddASN1NULL()
			})
			b.AddASN1OctetString(q.nameHash)
			b.AddASN1OctetString(q.keyHash)
			b.AddASN1BigInt(q.serial)
		})
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if q.version >= 0 {
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(q.version) })
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, certID)
				if q.extraCertID {
					b.AddASN1(cbasn1.SEQUENCE, certID)
				}
			})
			if len(q.nonces) > 0 {
				b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for _, n := range q.nonces {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier(oidOCSPNonce)
								b.AddASN1OctetString(n)
							})
						}
					})
				})
			}
		})
		if q.signature {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1NULL() })
			})
		}
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if q.trailing {
		der = append(der, 0)
	}
	return der
}

func TestParseOCSPRequest(t *testing.T) {
	ca := newRoot(t, ECPrime256v1, 0, Validity{Value: 5, Type: "YEARS"})
	n1, k1, _ := IssuerHashes(ca.cert, crypto.SHA1)
	n256, k256, _ := IssuerHashes(ca.cert, crypto.SHA256)
	nonce := []byte{0x04, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	base := ocspReq{hashOID: oidSHA1, nameHash: n1, keyHash: k1, serial: big.NewInt(0x1234), version: -1}
	with := func(f func(*ocspReq)) ocspReq { q := base; f(&q); return q }

	xreq, err := ocsp.CreateRequest(&x509.Certificate{SerialNumber: big.NewInt(99)}, ca.cert, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		der       []byte
		wantHash  crypto.Hash
		wantNonce []byte
		wantErr   bool
	}{
		{name: "minimal SHA-1", der: base.der(t), wantHash: crypto.SHA1},
		{name: "x/crypto SHA-256", der: xreq, wantHash: crypto.SHA256},
		{name: "SHA-256 with nonce and v1", der: with(func(q *ocspReq) {
			q.hashOID, q.nameHash, q.keyHash, q.nonces, q.version = oidSHA256, n256, k256, [][]byte{nonce}, 0
		}).der(t), wantHash: crypto.SHA256, wantNonce: nonce},
		{name: "signed request", der: with(func(q *ocspReq) { q.signature = true }).der(t), wantHash: crypto.SHA1},
		{name: "empty", der: nil, wantErr: true},
		{name: "garbage", der: []byte("GET / HTTP/1.1"), wantErr: true},
		{name: "trailing byte", der: with(func(q *ocspReq) { q.trailing = true }).der(t), wantErr: true},
		{name: "two certificates", der: with(func(q *ocspReq) { q.extraCertID = true }).der(t), wantErr: true},
		{name: "version 2", der: with(func(q *ocspReq) { q.version = 1 }).der(t), wantErr: true},
		{name: "MD5", der: with(func(q *ocspReq) { q.hashOID = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5} }).der(t), wantErr: true},
		{name: "short hash", der: with(func(q *ocspReq) { q.keyHash = k1[:10] }).der(t), wantErr: true},
		{name: "two nonces", der: with(func(q *ocspReq) { q.nonces = [][]byte{nonce, nonce} }).der(t), wantErr: true},
		{name: "huge nonce", der: with(func(q *ocspReq) { q.nonces = [][]byte{bytes.Repeat([]byte{1}, MaxOCSPNonce+1)} }).der(t), wantErr: true},
		{name: "empty nonce", der: with(func(q *ocspReq) { q.nonces = [][]byte{{}} }).der(t), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOCSPRequest(tc.der)
			if tc.wantErr {
				wantKind(t, err, InvalidRequest)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.HashAlgorithm != tc.wantHash || !bytes.Equal(got.Nonce, tc.wantNonce) {
				t.Errorf("hash %v nonce %x, want %v %x", got.HashAlgorithm, got.Nonce, tc.wantHash, tc.wantNonce)
			}
			wantName, wantKey, _ := IssuerHashes(ca.cert, tc.wantHash)
			if !bytes.Equal(got.IssuerNameHash, wantName) || !bytes.Equal(got.IssuerKeyHash, wantKey) {
				t.Error("issuer hashes differ from the CA's")
			}
		})
	}
}

// responseNonce digs the nonce out of responseExtensions (x/crypto/ocsp
// does not read them).
func responseNonce(t *testing.T, der []byte) []byte {
	t.Helper()
	in := cryptobyte.String(der)
	var resp, rb, rbSeq, basicOctets, basic, tbs cryptobyte.String
	var status int
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&resp, cbasn1.SEQUENCE) || !resp.ReadASN1Enum(&status) ||
		!resp.ReadASN1(&rb, cbasn1.Tag(0).Constructed().ContextSpecific()) || !rb.ReadASN1(&rbSeq, cbasn1.SEQUENCE) ||
		!rbSeq.ReadASN1ObjectIdentifier(&oid) || !rbSeq.ReadASN1(&basicOctets, cbasn1.OCTET_STRING) ||
		!basicOctets.ReadASN1(&basic, cbasn1.SEQUENCE) || !basic.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		t.Fatal("response does not parse")
	}
	if !tbs.SkipASN1(cbasn1.Tag(2).Constructed().ContextSpecific()) || !tbs.SkipASN1(cbasn1.GeneralizedTime) || !tbs.SkipASN1(cbasn1.SEQUENCE) {
		t.Fatal("tbsResponseData does not parse")
	}
	var exts cryptobyte.String
	var has bool
	if !tbs.ReadOptionalASN1(&exts, &has, cbasn1.Tag(1).Constructed().ContextSpecific()) || !has {
		return nil
	}
	nonce, err := readNonce(exts)
	if err != nil {
		t.Fatal(err)
	}
	return nonce
}

func TestBuildOCSPResponse(t *testing.T) {
	ec := newRoot(t, ECPrime256v1, 0, Validity{Value: 5, Type: "YEARS"})
	rsa := newRoot(t, RSA2048, 0, Validity{Value: 5, Type: "YEARS"})
	revokedAt := testNow.Add(-2 * time.Hour)
	nonce := []byte{0x04, 0x02, 0xab, 0xcd}
	tests := []struct {
		name    string
		ca      *testCA
		alg     SigningAlgorithm
		hash    crypto.Hash
		status  OCSPStatus
		reason  RevocationReason
		nonce   []byte
		wantSig x509.SignatureAlgorithm
	}{
		{name: "good EC SHA-1", ca: ec, status: OCSPGood, wantSig: x509.ECDSAWithSHA256},
		{name: "revoked key compromise", ca: ec, hash: crypto.SHA256, status: OCSPRevoked, reason: ReasonKeyCompromise, wantSig: x509.ECDSAWithSHA256},
		{name: "revoked unspecified", ca: ec, status: OCSPRevoked, reason: ReasonUnspecified, wantSig: x509.ECDSAWithSHA256},
		{name: "unknown with nonce", ca: ec, status: OCSPUnknown, nonce: nonce, wantSig: x509.ECDSAWithSHA256},
		{name: "good RSA SHA512", ca: rsa, alg: SHA512WithRSA, status: OCSPGood, nonce: nonce, wantSig: x509.SHA512WithRSA},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der, err := BuildOCSPResponse(&OCSPResponse{Issuer: tc.ca.cert, Signer: tc.ca.signer, SigningAlgorithm: tc.alg,
				HashAlgorithm: tc.hash, Serial: big.NewInt(0x4242), Status: tc.status, RevokedAt: revokedAt, Reason: tc.reason,
				ProducedAt: testNow, ThisUpdate: testNow, NextUpdate: testNow.Add(time.Hour), Nonce: tc.nonce})
			if err != nil {
				t.Fatal(err)
			}
			r, err := ocsp.ParseResponseForCert(der, nil, tc.ca.cert)
			if err != nil {
				t.Fatalf("parse/verify: %v", err)
			}
			want := map[OCSPStatus]int{OCSPGood: ocsp.Good, OCSPRevoked: ocsp.Revoked, OCSPUnknown: ocsp.Unknown}[tc.status]
			if r.Status != want || r.SerialNumber.Int64() != 0x4242 || r.SignatureAlgorithm != tc.wantSig {
				t.Errorf("status %d serial %v sig %v", r.Status, r.SerialNumber, r.SignatureAlgorithm)
			}
			if !r.ProducedAt.Equal(testNow) || !r.ThisUpdate.Equal(testNow) || !r.NextUpdate.Equal(testNow.Add(time.Hour)) {
				t.Errorf("times %v %v %v", r.ProducedAt, r.ThisUpdate, r.NextUpdate)
			}
			if tc.status == OCSPRevoked {
				code, _ := tc.reason.ReasonCode()
				if !r.RevokedAt.Equal(revokedAt) || r.RevocationReason != code {
					t.Errorf("revoked %v reason %d, want %v %d", r.RevokedAt, r.RevocationReason, revokedAt, code)
				}
			}
			if got := responseNonce(t, der); !bytes.Equal(got, tc.nonce) {
				t.Errorf("nonce %x, want %x", got, tc.nonce)
			}
			if err := r.CheckSignatureFrom(tc.ca.cert); err != nil {
				t.Errorf("signature: %v", err)
			}
		})
	}
}

func TestOCSPErrorResponses(t *testing.T) {
	for name, tc := range map[string]struct {
		der  []byte
		want ocsp.ResponseStatus
	}{
		"malformed":    {OCSPMalformedRequest, ocsp.Malformed},
		"unauthorized": {OCSPUnauthorized, ocsp.Unauthorized},
		"internal":     {OCSPInternalError, ocsp.InternalError},
	} {
		_, err := ocsp.ParseResponse(tc.der, nil)
		var re ocsp.ResponseError
		if !errors.As(err, &re) || re.Status != tc.want {
			t.Errorf("%s: %v", name, err)
		}
	}
}
