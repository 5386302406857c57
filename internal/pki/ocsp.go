package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"io"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// OCSP answers without a BasicOCSPResponse (RFC 6960 §4.2.1
// OCSPResponseStatus), ready to send.
var (
	OCSPMalformedRequest = ocsp.MalformedRequestErrorResponse
	OCSPInternalError    = ocsp.InternalErrorErrorResponse
	OCSPTryLater         = ocsp.TryLaterErrorResponse
	OCSPUnauthorized     = ocsp.UnauthorizedErrorResponse
)

// OCSPStatus is a certificate's status in a single response.
type OCSPStatus int

// Values of OCSPStatus, as RFC 6960's CertStatus CHOICE numbers them.
const (
	OCSPGood    OCSPStatus = 0
	OCSPRevoked OCSPStatus = 1
	OCSPUnknown OCSPStatus = 2
)

// MaxOCSPNonce bounds the nonce extension value echoed back (RFC 8954
// allows 1–32 octets of nonce; the extension value wraps it).
const MaxOCSPNonce = 128

// OCSPRequest is the part of an OCSP request a responder acts on: the
// first (and, per RFC 5019 §2.1.1, only) CertID and the nonce.
type OCSPRequest struct {
	HashAlgorithm  crypto.Hash
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	Serial         *big.Int
	// Nonce is the raw extnValue of the id-pkix-ocsp-nonce request
	// extension, echoed byte for byte; nil when absent.
	Nonce []byte
}

var (
	oidSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidOCSPNonce     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	oidOCSPBasic     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidSHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECDSAWithSHA2 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA3 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA5 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

var hashByOID = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{{oidSHA1, crypto.SHA1}, {oidSHA256, crypto.SHA256}, {oidSHA384, crypto.SHA384}, {oidSHA512, crypto.SHA512}}

func hashOID(h crypto.Hash) asn1.ObjectIdentifier {
	for _, e := range hashByOID {
		if e.hash == h {
			return e.oid
		}
	}
	return nil
}

func malformedOCSP(what string) error {
	return errf(InvalidRequest, "malformed OCSP request: %s", what)
}

// ParseOCSPRequest reads a DER OCSPRequest (RFC 6960 §4.1.1). It accepts
// exactly one Request in the requestList, a hash algorithm among SHA-1 and
// SHA-2, and ignores requestorName, the optional signature and every
// extension but the nonce. Any other input is an InvalidRequest error,
// which a responder answers with malformedRequest.
func ParseOCSPRequest(der []byte) (*OCSPRequest, error) {
	input := cryptobyte.String(der)
	var req, tbs, list, one, certID, alg cryptobyte.String
	if !input.ReadASN1(&req, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, malformedOCSP("not a DER SEQUENCE")
	}
	if !req.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, malformedOCSP("no tbsRequest")
	}
	// optionalSignature [0] EXPLICIT: present or not, it is not checked.
	if !req.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) || !req.Empty() {
		return nil, malformedOCSP("trailing data after tbsRequest")
	}
	var version cryptobyte.String
	var hasVersion bool
	if !tbs.ReadOptionalASN1(&version, &hasVersion, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, malformedOCSP("bad version")
	}
	if hasVersion {
		var v int64
		if !version.ReadASN1Integer(&v) || !version.Empty() || v != 0 {
			return nil, malformedOCSP("unsupported version")
		}
	}
	if !tbs.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, malformedOCSP("bad requestorName")
	}
	if !tbs.ReadASN1(&list, cbasn1.SEQUENCE) || !list.ReadASN1(&one, cbasn1.SEQUENCE) {
		return nil, malformedOCSP("empty requestList")
	}
	if !list.Empty() {
		return nil, malformedOCSP("more than one certificate in requestList")
	}
	if !one.ReadASN1(&certID, cbasn1.SEQUENCE) ||
		!one.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) || !one.Empty() {
		return nil, malformedOCSP("bad Request")
	}
	out := &OCSPRequest{Serial: new(big.Int)}
	var oid asn1.ObjectIdentifier
	if !certID.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, malformedOCSP("bad hashAlgorithm")
	}
	if alg.PeekASN1Tag(cbasn1.NULL) {
		var null cryptobyte.String
		alg.ReadASN1(&null, cbasn1.NULL)
	}
	if !alg.Empty() {
		return nil, malformedOCSP("bad hashAlgorithm parameters")
	}
	for _, e := range hashByOID {
		if e.oid.Equal(oid) {
			out.HashAlgorithm = e.hash
		}
	}
	if out.HashAlgorithm == 0 {
		return nil, malformedOCSP("unsupported hash algorithm")
	}
	var nameHash, keyHash cryptobyte.String
	if !certID.ReadASN1(&nameHash, cbasn1.OCTET_STRING) || !certID.ReadASN1(&keyHash, cbasn1.OCTET_STRING) ||
		!certID.ReadASN1Integer(out.Serial) || !certID.Empty() {
		return nil, malformedOCSP("bad CertID")
	}
	if len(nameHash) != out.HashAlgorithm.Size() || len(keyHash) != out.HashAlgorithm.Size() {
		return nil, malformedOCSP("issuer hash length does not match its algorithm")
	}
	out.IssuerNameHash, out.IssuerKeyHash = []byte(nameHash), []byte(keyHash)

	var exts cryptobyte.String
	var hasExts bool
	if !tbs.ReadOptionalASN1(&exts, &hasExts, cbasn1.Tag(2).Constructed().ContextSpecific()) || !tbs.Empty() {
		return nil, malformedOCSP("bad requestExtensions")
	}
	if hasExts {
		nonce, err := readNonce(exts)
		if err != nil {
			return nil, err
		}
		out.Nonce = nonce
	}
	return out, nil
}

// readNonce finds the nonce in [2] EXPLICIT Extensions.
func readNonce(wrapped cryptobyte.String) ([]byte, error) {
	var exts cryptobyte.String
	if !wrapped.ReadASN1(&exts, cbasn1.SEQUENCE) || !wrapped.Empty() {
		return nil, malformedOCSP("bad Extensions")
	}
	var nonce []byte
	for !exts.Empty() {
		var ext, value cryptobyte.String
		var id asn1.ObjectIdentifier
		var critical bool
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&id) ||
			!ext.ReadOptionalASN1Boolean(&critical, cbasn1.BOOLEAN, false) ||
			!ext.ReadASN1(&value, cbasn1.OCTET_STRING) || !ext.Empty() {
			return nil, malformedOCSP("bad Extension")
		}
		if !id.Equal(oidOCSPNonce) {
			continue
		}
		if nonce != nil {
			return nil, malformedOCSP("two nonces")
		}
		if len(value) == 0 || len(value) > MaxOCSPNonce {
			return nil, malformedOCSP("nonce length")
		}
		nonce = []byte(value)
	}
	return nonce, nil
}

// IssuerHashes returns the CertID hashes of issuer under h (RFC 6960
// §4.1.1): of the DER subject name, and of the subjectPublicKey BIT STRING
// value (without tag, length and unused-bits octet).
func IssuerHashes(issuer *x509.Certificate, h crypto.Hash) (nameHash, keyHash []byte, err error) {
	if !h.Available() || hashOID(h) == nil {
		return nil, nil, errf(Internal, "pki: hash %v not usable for OCSP", h)
	}
	key, err := subjectPublicKey(issuer)
	if err != nil {
		return nil, nil, err
	}
	hh := h.New()
	hh.Write(issuer.RawSubject)
	nameHash = hh.Sum(nil)
	hh.Reset()
	hh.Write(key)
	return nameHash, hh.Sum(nil), nil
}

func subjectPublicKey(c *x509.Certificate) ([]byte, error) {
	spki := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var inner cryptobyte.String
	var bits asn1.BitString
	if !spki.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.SkipASN1(cbasn1.SEQUENCE) || !inner.ReadASN1BitString(&bits) {
		return nil, errf(Internal, "pki: issuer public key does not parse")
	}
	return bits.RightAlign(), nil
}

// OCSPResponse is what BuildOCSPResponse signs: one SingleResponse.
type OCSPResponse struct {
	Issuer           *x509.Certificate
	Signer           crypto.Signer
	SigningAlgorithm SigningAlgorithm // "" picks from the key
	HashAlgorithm    crypto.Hash      // of the CertID; 0 means SHA-1
	Serial           *big.Int
	Status           OCSPStatus
	RevokedAt        time.Time
	Reason           RevocationReason
	ProducedAt       time.Time
	ThisUpdate       time.Time
	NextUpdate       time.Time // zero omits nextUpdate
	// Nonce is a request's raw nonce extension value, echoed in
	// responseExtensions; nil for none.
	Nonce []byte
	Rand  io.Reader // nil = crypto/rand
}

// BuildOCSPResponse signs a successful OCSPResponse holding a
// BasicOCSPResponse (RFC 6960 §4.2.1) by the issuer itself: responderID
// byKey (RFC 5019 §2.2.3), producedAt, one SingleResponse and the nonce in
// responseExtensions. golang.org/x/crypto/ocsp's CreateResponse is not
// used because it puts extensions in singleExtensions, where clients do
// not look for the nonce, and reads the wall clock for producedAt.
func BuildOCSPResponse(r *OCSPResponse) ([]byte, error) {
	if r.Issuer == nil || r.Signer == nil || r.Serial == nil {
		return nil, errf(Internal, "pki: OCSPResponse needs Issuer, Signer and Serial")
	}
	h := r.HashAlgorithm
	if h == 0 {
		h = crypto.SHA1
	}
	nameHash, keyHash, err := IssuerHashes(r.Issuer, h)
	if err != nil {
		return nil, err
	}
	key, err := subjectPublicKey(r.Issuer)
	if err != nil {
		return nil, err
	}
	responderKeyHash := sha1.Sum(key)
	sig, err := signatureParams(r.Signer.Public(), r.SigningAlgorithm)
	if err != nil {
		return nil, err
	}
	code := 0
	if r.Status == OCSPRevoked {
		var ok bool
		if code, ok = r.Reason.ReasonCode(); !ok {
			return nil, errf(InvalidArgs, "Invalid revocation reason %q.", r.Reason)
		}
	}

	var tbs cryptobyte.Builder
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(responderKeyHash[:])
		})
		b.AddASN1GeneralizedTime(r.ProducedAt.UTC().Truncate(time.Second))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // responses
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SingleResponse
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // CertID
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(hashOID(h))
						b.AddASN1NULL()
					})
					b.AddASN1OctetString(nameHash)
					b.AddASN1OctetString(keyHash)
					b.AddASN1BigInt(r.Serial)
				})
				switch r.Status {
				case OCSPGood:
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				case OCSPRevoked:
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1GeneralizedTime(r.RevokedAt.UTC().Truncate(time.Second))
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddASN1Enum(int64(code))
						})
					})
				default:
					b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(*cryptobyte.Builder) {})
				}
				b.AddASN1GeneralizedTime(r.ThisUpdate.UTC().Truncate(time.Second))
				if !r.NextUpdate.IsZero() {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1GeneralizedTime(r.NextUpdate.UTC().Truncate(time.Second))
					})
				}
			})
		})
		if r.Nonce != nil {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oidOCSPNonce)
						b.AddASN1OctetString(r.Nonce)
					})
				})
			})
		}
	})
	tbsDER, err := tbs.Bytes()
	if err != nil {
		return nil, wrapf(Internal, err, "encoding the OCSP response failed")
	}
	digest := sig.hash.New()
	digest.Write(tbsDER)
	rnd := r.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	signature, err := r.Signer.Sign(rnd, digest.Sum(nil), sig.hash)
	if err != nil {
		return nil, wrapf(Internal, err, "signing the OCSP response failed")
	}

	var basic cryptobyte.Builder
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(sig.oid)
			if sig.nullParams {
				b.AddASN1NULL()
			}
		})
		b.AddASN1BitString(signature)
	})
	basicDER, err := basic.Bytes()
	if err != nil {
		return nil, wrapf(Internal, err, "encoding the OCSP response failed")
	}
	var resp cryptobyte.Builder
	resp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0) // successful
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidOCSPBasic)
				b.AddASN1OctetString(basicDER)
			})
		})
	})
	return resp.Bytes()
}

type sigParams struct {
	hash       crypto.Hash
	oid        asn1.ObjectIdentifier
	nullParams bool
}

// signatureParams picks the response signature: the CA's signing
// algorithm when given (RSA is PKCS #1 v1.5, as for certificates), else
// SHA-256 for RSA and the curve's hash for ECDSA.
func signatureParams(pub crypto.PublicKey, alg SigningAlgorithm) (sigParams, error) {
	byAlg := map[x509.SignatureAlgorithm]sigParams{
		x509.SHA256WithRSA:   {crypto.SHA256, oidSHA256WithRSA, true},
		x509.SHA384WithRSA:   {crypto.SHA384, oidSHA384WithRSA, true},
		x509.SHA512WithRSA:   {crypto.SHA512, oidSHA512WithRSA, true},
		x509.ECDSAWithSHA256: {crypto.SHA256, oidECDSAWithSHA2, false},
		x509.ECDSAWithSHA384: {crypto.SHA384, oidECDSAWithSHA3, false},
		x509.ECDSAWithSHA512: {crypto.SHA512, oidECDSAWithSHA5, false},
	}
	want := x509.UnknownSignatureAlgorithm
	switch k := pub.(type) {
	case *rsa.PublicKey:
		want = x509.SHA256WithRSA
		if alg != "" {
			want = x509Algorithm(alg)
			if want != x509.SHA256WithRSA && want != x509.SHA384WithRSA && want != x509.SHA512WithRSA {
				want = x509.UnknownSignatureAlgorithm
			}
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			want = x509.ECDSAWithSHA256
		case elliptic.P384():
			want = x509.ECDSAWithSHA384
		case elliptic.P521():
			want = x509.ECDSAWithSHA512
		}
		if alg != "" {
			want = x509Algorithm(alg)
			if want != x509.ECDSAWithSHA256 && want != x509.ECDSAWithSHA384 && want != x509.ECDSAWithSHA512 {
				want = x509.UnknownSignatureAlgorithm
			}
		}
	}
	p, ok := byAlg[want]
	if !ok {
		return sigParams{}, errf(NotSupported, "no OCSP signature algorithm for this key and %q", alg)
	}
	return p, nil
}
