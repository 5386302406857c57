package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"time"
)

// UsageMode is the acm-pca CertificateAuthorityUsageMode enum.
type UsageMode string

// UsageMode values; "" means GENERAL_PURPOSE.
const (
	UsageGeneralPurpose UsageMode = "GENERAL_PURPOSE"
	UsageShortLived     UsageMode = "SHORT_LIVED_CERTIFICATE"
)

// ShortLivedMax is the longest validity a SHORT_LIVED_CERTIFICATE CA may issue.
const ShortLivedMax = 7 * 24 * time.Hour

// IssueRequest is everything IssueCertificate needs to build and sign one
// certificate.
type IssueRequest struct {
	// CSR is the decoded Csr blob (PEM or DER), checked by ParseCSR.
	CSR []byte
	// Issuer is the issuing CA's certificate. Nil is allowed only with a
	// RootCACertificate template, which self-signs the CSR with IssuerSigner.
	Issuer *x509.Certificate
	// IssuerSigner holds the CA key (from the keystore).
	IssuerSigner     crypto.Signer
	SigningAlgorithm SigningAlgorithm
	// TemplateARN; "" means EndEntityCertificate/V1.
	TemplateARN       string
	Validity          Validity
	ValidityNotBefore *Validity
	APIPassthrough    *APIPassthrough
	// Serial; nil draws NewSerial(Rand).
	Serial *big.Int
	// Now is the issuance time (required).
	Now time.Time
	// CRLDistributionPoints are the CA's CRL URLs (CRL enabled and not omitted).
	CRLDistributionPoints []string
	// OCSPURLs are the CA's OCSP responder URLs (OCSP enabled).
	OCSPURLs  []string
	UsageMode UsageMode
	// Rand is the randomness for the serial and signature; nil = crypto/rand.
	Rand io.Reader
}

// Build checks req and returns the certificate template ready for
// x509.CreateCertificate: RawSubject, validity, serial, signature algorithm
// and every extension in ExtraExtensions (so criticality and encoding are
// ours, not crypto/x509's defaults). PublicKey carries the CSR's key.
//
// Precedence per extension (UsingTemplates.md): template > ApiPassthrough >
// CSR. Base templates take only Subject and SAN from the CSR and ignore
// ApiPassthrough; CSRPassthrough templates also copy every other CSR
// extension; APIPassthrough templates apply ApiPassthrough Subject and
// Extensions.
func Build(req *IssueRequest) (*x509.Certificate, error) {
	b, err := build(req)
	if err != nil {
		return nil, err
	}
	return b.cert, nil
}

// Issue builds and signs the certificate and returns its DER.
func Issue(req *IssueRequest) ([]byte, error) {
	b, err := build(req)
	if err != nil {
		return nil, err
	}
	parent := req.Issuer
	if b.tmpl.Root {
		parent = b.cert
	}
	rnd := req.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	der, err := x509.CreateCertificate(rnd, b.cert, parent, b.cert.PublicKey, req.IssuerSigner)
	if err != nil {
		return nil, wrapf(Internal, err, "signing the certificate failed")
	}
	return der, nil
}

type built struct {
	cert *x509.Certificate
	tmpl *Template
}

func build(req *IssueRequest) (*built, error) {
	if req.Now.IsZero() {
		return nil, errf(Internal, "pki: IssueRequest.Now is required")
	}
	if req.IssuerSigner == nil {
		return nil, errf(Internal, "pki: IssueRequest.IssuerSigner is required")
	}
	tmpl, err := LookupTemplate(req.TemplateARN)
	if err != nil {
		return nil, err
	}
	caAlg, err := KeyAlgorithmOf(req.IssuerSigner.Public())
	if err != nil {
		return nil, err
	}
	if err := CheckSigningAlgorithm(caAlg, req.SigningAlgorithm); err != nil {
		return nil, err
	}
	csr, err := ParseCSR(req.CSR)
	if err != nil {
		return nil, err
	}
	if err := checkIssuer(req, tmpl, csr); err != nil {
		return nil, err
	}
	notBefore, notAfter, err := validity(req, tmpl)
	if err != nil {
		return nil, err
	}

	var api *APIPassthrough
	if tmpl.APIPassthrough {
		api = req.APIPassthrough // ignored silently otherwise, as AWS does
	}
	rawSubject := csr.RawSubject
	if api != nil && !api.Subject.IsEmpty() {
		if rawSubject, err = api.Subject.Marshal(); err != nil {
			return nil, err
		}
	}
	hasSubject := nameHasAttributes(rawSubject)

	ski, err := keyID(csr.PublicKey)
	if err != nil {
		return nil, err
	}
	var aki []byte
	if !tmpl.Root {
		if aki = req.Issuer.SubjectKeyId; len(aki) == 0 {
			if aki, err = keyID(req.Issuer.PublicKey); err != nil {
				return nil, err
			}
		}
	}
	exts, err := extensions(req, tmpl, api, csr, ski, aki, hasSubject)
	if err != nil {
		return nil, err
	}
	if !hasSubject && !exts.has(oidExtSubjectAltName) {
		return nil, errf(MalformedCSR, "The CSR must contain a subject or a subject alternative name.")
	}

	serial := req.Serial
	if serial == nil {
		if serial, err = NewSerial(req.Rand); err != nil {
			return nil, err
		}
	} else if serial.Sign() <= 0 || len(serial.Bytes()) > 20 {
		return nil, errf(Internal, "pki: serial must be positive and at most 20 octets")
	}
	return &built{tmpl: tmpl, cert: &x509.Certificate{
		SerialNumber:       serial,
		RawSubject:         rawSubject,
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		SignatureAlgorithm: x509Algorithm(req.SigningAlgorithm),
		PublicKey:          csr.PublicKey,
		SubjectKeyId:       ski,
		AuthorityKeyId:     aki,
		ExtraExtensions:    exts.list,
	}}, nil
}

// checkIssuer applies the self-signing and path-length rules.
func checkIssuer(req *IssueRequest, tmpl *Template, csr *x509.CertificateRequest) error {
	if tmpl.Root {
		if !publicKeysEqual(csr.PublicKey, req.IssuerSigner.Public()) {
			return errf(InvalidRequest, "The %s template may only be used to self-sign the CA's own certificate signing request.", tmpl.Name)
		}
		return nil
	}
	iss := req.Issuer
	if iss == nil {
		return errf(InvalidRequest, "The certificate authority has no CA certificate installed; only a root CA's self-signed certificate can be issued.")
	}
	if !iss.BasicConstraintsValid || !iss.IsCA {
		return errf(InvalidRequest, "The issuing certificate is not a CA certificate.")
	}
	if !publicKeysEqual(iss.PublicKey, req.IssuerSigner.Public()) {
		return errf(Internal, "pki: the issuer certificate does not match the issuer key")
	}
	if tmpl.CA {
		limited := iss.MaxPathLen > 0 || iss.MaxPathLen == 0 && iss.MaxPathLenZero
		if limited && tmpl.PathLen >= iss.MaxPathLen {
			return errf(InvalidArgs, "The path length constraint %d of template %s must be less than the issuing CA's path length %d.", tmpl.PathLen, tmpl.Name, iss.MaxPathLen)
		}
	}
	return nil
}

// validity computes NotBefore/NotAfter and applies the issuer, CA and
// short-lived limits (§2.5).
func validity(req *IssueRequest, tmpl *Template) (time.Time, time.Time, error) {
	now := req.Now.UTC()
	notBefore, err := NotBefore(req.ValidityNotBefore, now)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	notAfter, err := req.Validity.NotAfter(now)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	notAfter = notAfter.Truncate(time.Second)
	if !notAfter.After(now) {
		return time.Time{}, time.Time{}, errf(InvalidArgs, "The certificate validity end date %s is in the past.", notAfter.Format(time.RFC3339))
	}
	if !notAfter.After(notBefore) {
		return time.Time{}, time.Time{}, errf(InvalidArgs, "The certificate validity end date must be after its start date.")
	}
	if !tmpl.Root {
		end := req.Issuer.NotAfter
		if tmpl.CA && !notAfter.Before(end) {
			return time.Time{}, time.Time{}, errf(InvalidArgs, "The validity period of a CA certificate must be shorter than the validity period of its issuing CA certificate.")
		}
		if notAfter.After(end) {
			return time.Time{}, time.Time{}, errf(InvalidArgs, "The certificate validity specified exceeds the certificate authority validity.")
		}
	}
	if req.UsageMode == UsageShortLived {
		if notAfter.Sub(now) > ShortLivedMax || (req.ValidityNotBefore != nil && notAfter.Sub(notBefore) > ShortLivedMax) {
			return time.Time{}, time.Time{}, errf(InvalidArgs, "A certificate authority in SHORT_LIVED_CERTIFICATE mode can only issue certificates valid for 7 days or less.")
		}
	}
	return notBefore, notAfter, nil
}

// extSet is an ordered set of extensions keyed by OID.
type extSet struct {
	list []pkix.Extension
	idx  map[string]int
}

func (s *extSet) has(oid asn1.ObjectIdentifier) bool { _, ok := s.idx[oid.String()]; return ok }

func (s *extSet) add(e pkix.Extension) {
	if s.idx == nil {
		s.idx = map[string]int{}
	}
	if !s.has(e.Id) {
		s.idx[e.Id.String()] = len(s.list)
		s.list = append(s.list, e)
	}
}

// extensions assembles the certificate extensions, template first so that
// later (lower-precedence) sources cannot replace what it defines.
func extensions(req *IssueRequest, tmpl *Template, api *APIPassthrough, csr *x509.CertificateRequest, ski, aki []byte, hasSubject bool) (*extSet, error) {
	var s extSet
	s.add(basicConstraintsExt(tmpl.CA, tmpl.PathLen, tmpl.CriticalBC))
	if ku := tmpl.KeyUsage; ku != 0 {
		// RFC 8813 §3: keyEncipherment does not apply to EC keys (and zlint
		// rejects it), so the end-entity templates drop it for them.
		if _, ec := csr.PublicKey.(*ecdsa.PublicKey); ec {
			ku &^= kuKeyEncipherment
		}
		s.add(keyUsageExt(ku))
	}
	if tmpl.EKU != nil {
		s.add(ekuExt(tmpl.EKU, tmpl.EKUCritical))
	}
	s.add(subjectKeyIDExt(ski))
	if aki != nil {
		s.add(authorityKeyIDExt(aki))
	}
	if !tmpl.Root && len(req.CRLDistributionPoints) > 0 {
		s.add(crlDistributionPointsExt(req.CRLDistributionPoints))
	}
	// AWS leaves AIA out of passthrough templates even with OCSP enabled.
	if !tmpl.Root && !tmpl.APIPassthrough && !tmpl.CSRPassthrough && len(req.OCSPURLs) > 0 {
		s.add(ocspAIAExt(req.OCSPURLs))
	}

	if api != nil && api.Extensions != nil {
		apiExts, err := apiExtensions(api.Extensions)
		if err != nil {
			return nil, err
		}
		for _, e := range apiExts {
			s.add(e)
		}
	}

	for _, e := range csr.Extensions {
		if tmpl.CSRPassthrough || e.Id.Equal(oidExtSubjectAltName) {
			s.add(e)
		}
	}
	// RFC 5280 §4.2.1.6: with an empty subject the SAN must be critical.
	if i, ok := s.idx[oidExtSubjectAltName.String()]; ok && !hasSubject {
		s.list[i].Critical = true
	}
	return &s, nil
}

// apiExtensions encodes ApiPassthrough.Extensions; an OID given twice is InvalidArgs.
func apiExtensions(x *Extensions) ([]pkix.Extension, error) {
	var out []pkix.Extension
	if b := x.KeyUsage.bits(); b != 0 {
		out = append(out, keyUsageExt(b))
	}
	if len(x.ExtendedKeyUsage) > 0 {
		e, err := extendedKeyUsageExt(x.ExtendedKeyUsage)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(x.SubjectAlternativeNames) > 0 {
		e, err := subjectAltNameExt(x.SubjectAlternativeNames)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(x.CertificatePolicies) > 0 {
		e, err := certificatePoliciesExt(x.CertificatePolicies)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(x.CustomExtensions) > 150 {
		return nil, errf(InvalidArgs, "At most 150 CustomExtensions are allowed.")
	}
	for _, c := range x.CustomExtensions {
		e, err := customExt(c)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	seen := map[string]bool{}
	for _, e := range out {
		if seen[e.Id.String()] {
			return nil, errf(InvalidArgs, "The extension %s is specified more than once in ApiPassthrough.", e.Id)
		}
		seen[e.Id.String()] = true
	}
	return out, nil
}

// keyID is the RFC 5280 §4.2.1.2 method 1 key identifier: SHA-1 of the
// subjectPublicKey BIT STRING.
func keyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, wrapf(Internal, err, "pki: cannot encode public key")
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, wrapf(Internal, err, "pki: cannot encode public key")
	}
	h := sha1.Sum(spki.PublicKey.RightAlign())
	return h[:], nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}
