package pki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"time"
)

// ParseCertificatePEM reads exactly one PEM "CERTIFICATE" block (whitespace
// around it allowed); anything else is MalformedCertificate.
func ParseCertificatePEM(data []byte) (*x509.Certificate, error) {
	certs, err := ParseChainPEM(data)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, errf(MalformedCertificate, "Expected one certificate, found %d.", len(certs))
	}
	return certs[0], nil
}

// ParseChainPEM reads one or more concatenated PEM "CERTIFICATE" blocks;
// other block types or non-PEM data are MalformedCertificate.
func ParseChainPEM(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := bytes.TrimSpace(data)
	for len(rest) > 0 {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errf(MalformedCertificate, "The certificate is not valid PEM.")
		}
		if block.Type != "CERTIFICATE" {
			return nil, errf(MalformedCertificate, "Unexpected PEM block %q; expected CERTIFICATE.", block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, wrapf(MalformedCertificate, err, "The certificate could not be parsed.")
		}
		out = append(out, c)
		rest = bytes.TrimSpace(rest)
	}
	if len(out) == 0 {
		return nil, errf(MalformedCertificate, "No certificate was found.")
	}
	return out, nil
}

// allowedCritical lists extensions an imported CA certificate may mark
// critical (ImportCertificateAuthorityCertificate docs); any other critical
// extension — AIA, CRL distribution points, freshestCRL, policyConstraints,
// unknown ones — is refused.
var allowedCritical = []asn1.ObjectIdentifier{
	oidExtAuthorityKeyID, oidExtBasicConstraints, oidExtCertPolicies, oidExtExtKeyUsage,
	{2, 5, 29, 54}, // inhibitAnyPolicy
	{2, 5, 29, 18}, // issuerAltName
	oidExtKeyUsage,
	{2, 5, 29, 30}, // nameConstraints
	{2, 5, 29, 33}, // policyMappings
	oidExtSubjectAltName,
	{2, 5, 29, 9}, // subjectDirectoryAttributes
	oidExtSubjectKeyID, oidExtSubjectInfoAccess,
}

// VerifyCAImport checks a CA certificate before ImportCertificateAuthorityCertificate
// installs it:
//   - its public key is the CA's key (else CertificateMismatch);
//   - basicConstraints is present, critical and CA:TRUE, and no extension
//     outside the allowed list is critical (else MalformedCertificate);
//   - a ROOT CA imports a self-signed certificate and no chain; a SUBORDINATE
//     CA a certificate that is not self-signed plus its chain (issuer first,
//     root last) (else InvalidRequest);
//   - every chain certificate signs the one before it, the last is a
//     self-signed root, every path-length limit leaves room for the imported
//     CA, and the certificate chains at time now (else CertificateMismatch).
func VerifyCAImport(cert *x509.Certificate, chain []*x509.Certificate, caPublicKey crypto.PublicKey, isRoot bool, now time.Time) error {
	if !publicKeysEqual(cert.PublicKey, caPublicKey) {
		return errf(CertificateMismatch, "The certificate does not match the certificate authority's private key.")
	}
	if err := checkCACertShape(cert); err != nil {
		return err
	}
	selfSigned := isSelfSigned(cert)
	if isRoot {
		if !selfSigned {
			return errf(InvalidRequest, "A root certificate authority requires a self-signed CA certificate.")
		}
		if len(chain) > 0 {
			return errf(InvalidRequest, "A certificate chain must not be provided for a root certificate authority.")
		}
		if !now.Before(cert.NotAfter) {
			return errf(CertificateMismatch, "The certificate has expired.")
		}
		return nil
	}
	if selfSigned {
		return errf(InvalidRequest, "A subordinate certificate authority cannot import a self-signed certificate.")
	}
	if len(chain) == 0 {
		return errf(InvalidRequest, "A certificate chain is required for a subordinate certificate authority.")
	}
	child := cert
	for i, c := range chain {
		if err := child.CheckSignatureFrom(c); err != nil {
			return wrapf(CertificateMismatch, err, "Certificate %d of the chain did not sign the certificate before it.", i+1)
		}
		// chain[i] has i chain CAs plus the imported CA below it.
		if c.MaxPathLen > 0 || c.MaxPathLen == 0 && c.MaxPathLenZero {
			if c.MaxPathLen < i+1 {
				return errf(CertificateMismatch, "The path length constraint of chain certificate %d does not allow this CA.", i+1)
			}
		}
		child = c
	}
	root := chain[len(chain)-1]
	if !isSelfSigned(root) {
		return errf(CertificateMismatch, "The certificate chain does not end with a self-signed root certificate.")
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root)
	for _, c := range chain[:len(chain)-1] {
		inter.AddCert(c)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return wrapf(CertificateMismatch, err, "The certificate chain is not valid: %v", err)
	}
	return nil
}

func checkCACertShape(cert *x509.Certificate) error {
	var bc *bool
	for _, e := range cert.Extensions {
		if e.Id.Equal(oidExtBasicConstraints) {
			crit := e.Critical
			bc = &crit
		}
		if e.Critical && !containsOID(allowedCritical, e.Id) {
			return errf(MalformedCertificate, "The extension %s must not be marked critical in a CA certificate.", e.Id)
		}
	}
	if bc == nil || !*bc || !cert.IsCA {
		return errf(MalformedCertificate, "The CA certificate must have a critical basicConstraints extension with CA:TRUE.")
	}
	return nil
}

func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

func containsOID(list []asn1.ObjectIdentifier, oid asn1.ObjectIdentifier) bool {
	for _, o := range list {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}
