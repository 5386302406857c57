package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"time"
)

// RevocationReason is the acm-pca RevocationReason enum.
type RevocationReason string

// RevocationReason values.
const (
	ReasonUnspecified                    RevocationReason = "UNSPECIFIED"
	ReasonKeyCompromise                  RevocationReason = "KEY_COMPROMISE"
	ReasonCertificateAuthorityCompromise RevocationReason = "CERTIFICATE_AUTHORITY_COMPROMISE"
	ReasonAffiliationChanged             RevocationReason = "AFFILIATION_CHANGED"
	ReasonSuperseded                     RevocationReason = "SUPERSEDED"
	ReasonCessationOfOperation           RevocationReason = "CESSATION_OF_OPERATION"
	ReasonPrivilegeWithdrawn             RevocationReason = "PRIVILEGE_WITHDRAWN"
	ReasonAACompromise                   RevocationReason = "A_A_COMPROMISE"
)

// reasonCodes maps reasons to RFC 5280 §5.3.1 CRLReason values.
var reasonCodes = map[RevocationReason]int{
	ReasonUnspecified:                    0,
	ReasonKeyCompromise:                  1,
	ReasonCertificateAuthorityCompromise: 2,
	ReasonAffiliationChanged:             3,
	ReasonSuperseded:                     4,
	ReasonCessationOfOperation:           5,
	ReasonPrivilegeWithdrawn:             9,
	ReasonAACompromise:                   10,
}

// ReasonCode returns the RFC 5280 CRLReason of r; ok is false for a value
// outside the enum.
func (r RevocationReason) ReasonCode() (code int, ok bool) {
	code, ok = reasonCodes[r]
	return code, ok
}

// RevokedCert is one CRL entry.
type RevokedCert struct {
	Serial    *big.Int
	RevokedAt time.Time
	Reason    RevocationReason
}

// CRLRequest is everything BuildCRL needs.
type CRLRequest struct {
	Issuer           *x509.Certificate
	Signer           crypto.Signer
	SigningAlgorithm SigningAlgorithm // "" lets crypto/x509 choose from the key
	Number           *big.Int
	ThisUpdate       time.Time
	NextUpdate       time.Time
	Entries          []RevokedCert
	// DistributionPoint, when set, adds a critical issuing distribution
	// point extension naming it (RFC 5280 §5.2.5): partitioned CRLs.
	DistributionPoint string
	Rand              io.Reader // nil = crypto/rand
}

var oidExtIssuingDistributionPoint = asn1.ObjectIdentifier{2, 5, 29, 28}

// BuildCRL signs an X.509 v2 CRL (RFC 5280 §5): issuer, thisUpdate,
// nextUpdate, one entry per revoked certificate with its reason code
// (omitted for UNSPECIFIED, as §5.3.1 recommends), the authority key
// identifier and CRL number extensions, and the issuing distribution point
// when asked. crypto/x509 has no field for the IDP, so it goes in
// ExtraExtensions.
func BuildCRL(req *CRLRequest) ([]byte, error) {
	if req.Issuer == nil || req.Signer == nil || req.Number == nil {
		return nil, errf(Internal, "pki: CRLRequest needs Issuer, Signer and Number")
	}
	entries := make([]x509.RevocationListEntry, len(req.Entries))
	for i, e := range req.Entries {
		code, ok := e.Reason.ReasonCode()
		if !ok {
			return nil, errf(InvalidArgs, "Invalid revocation reason %q.", e.Reason)
		}
		entries[i] = x509.RevocationListEntry{SerialNumber: e.Serial, RevocationTime: e.RevokedAt.UTC(), ReasonCode: code}
	}
	tmpl := &x509.RevocationList{
		RevokedCertificateEntries: entries,
		Number:                    req.Number,
		ThisUpdate:                req.ThisUpdate.UTC(),
		NextUpdate:                req.NextUpdate.UTC(),
	}
	if req.SigningAlgorithm != "" {
		tmpl.SignatureAlgorithm = x509Algorithm(req.SigningAlgorithm)
	}
	if req.DistributionPoint != "" {
		tmpl.ExtraExtensions = []pkix.Extension{issuingDistributionPointExt(req.DistributionPoint)}
	}
	rnd := req.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	der, err := x509.CreateRevocationList(rnd, tmpl, req.Issuer, req.Signer)
	if err != nil {
		return nil, wrapf(Internal, err, "signing the CRL failed")
	}
	return der, nil
}

// issuingDistributionPointExt encodes IssuingDistributionPoint with only
// distributionPoint = fullName [URI], critical as RFC 5280 §5.2.5 requires.
func issuingDistributionPointExt(uri string) pkix.Extension {
	type dpName struct {
		FullName []asn1.RawValue `asn1:"optional,tag:0"`
	}
	type idp struct {
		// A tag on the DistributionPointName CHOICE is explicit; the
		// struct's implicit [0] replaces its SEQUENCE tag, which is the
		// same encoding.
		DistributionPoint dpName `asn1:"optional,tag:0"`
	}
	v, _ := asn1.Marshal(idp{DistributionPoint: dpName{FullName: []asn1.RawValue{{Tag: 6, Class: asn1.ClassContextSpecific, Bytes: []byte(uri)}}}})
	return pkix.Extension{Id: oidExtIssuingDistributionPoint, Critical: true, Value: v}
}
