package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"unicode/utf8"
)

// MaxCSRSize is the IssueCertificate Csr blob limit (32 KiB).
const MaxCSRSize = 32 * 1024

// ParseCSR reads an IssueCertificate CSR blob (already base64-decoded from
// the JSON): one PEM block "CERTIFICATE REQUEST" (or the legacy "NEW
// CERTIFICATE REQUEST") with nothing but whitespace around it, or raw DER.
// It verifies the self-signature, that the key is RSA 2048–4096 (a multiple
// of 8 bits) or ECDSA P-256/P-384/P-521, that extensions are not repeated and
// that no common name exceeds 64 characters. Every failure is MalformedCSR.
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	if len(data) == 0 || len(data) > MaxCSRSize {
		return nil, errf(MalformedCSR, "The CSR is empty or larger than 32 KiB.")
	}
	der := data
	if trimmed := bytes.TrimSpace(data); bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, rest := pem.Decode(trimmed)
		if block == nil {
			return nil, errf(MalformedCSR, "The CSR is not a valid PEM block.")
		}
		if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
			return nil, errf(MalformedCSR, "The PEM block is a %q, not a CERTIFICATE REQUEST.", block.Type)
		}
		if len(bytes.TrimSpace(rest)) > 0 {
			return nil, errf(MalformedCSR, "The CSR contains data after the certificate request.")
		}
		der = block.Bytes
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, wrapf(MalformedCSR, err, "The CSR could not be parsed.")
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, wrapf(MalformedCSR, err, "The CSR signature is not valid.")
	}
	if err := checkCSRKey(csr.PublicKey); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range csr.Extensions {
		if seen[e.Id.String()] {
			return nil, errf(MalformedCSR, "The CSR repeats the extension %s.", e.Id)
		}
		seen[e.Id.String()] = true
	}
	for _, n := range csr.Subject.Names {
		if n.Type.Equal(oidCommonName) {
			if s, ok := n.Value.(string); ok && utf8.RuneCountInString(s) > 64 {
				return nil, errf(MalformedCSR, "The common name in the CSR is longer than 64 characters. Put long names in the subject alternative name.")
			}
		}
	}
	return csr, nil
}

func checkCSRKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if b := k.N.BitLen(); b < 2048 || b > 4096 || b%8 != 0 {
			return errf(MalformedCSR, "The CSR's RSA key size %d is not supported; use 2048, 3072 or 4096 bits.", b)
		}
		return nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return errf(MalformedCSR, "The CSR's elliptic curve is not supported.")
	}
	return errf(MalformedCSR, "The CSR's public key algorithm is not supported.")
}

// CreateCACSR makes a CA's certificate signing request, as
// CreateCertificateAuthority does: subject from
// CertificateAuthorityConfiguration.Subject, a critical basicConstraints
// CA:TRUE, and the optional CsrExtensions (KeyUsage, SubjectInformationAccess).
// It returns the DER. sig must fit the signer's key family.
func CreateCACSR(signer crypto.Signer, subject ASN1Subject, ext *CsrExtensions, sig SigningAlgorithm) ([]byte, error) {
	alg, err := KeyAlgorithmOf(signer.Public())
	if err != nil {
		return nil, err
	}
	if err := CheckSigningAlgorithm(alg, sig); err != nil {
		return nil, err
	}
	if subject.IsEmpty() {
		return nil, errf(InvalidArgs, "The CA subject must contain at least one attribute.")
	}
	rawSubject, err := subject.Marshal()
	if err != nil {
		return nil, err
	}
	exts := []pkix.Extension{basicConstraintsExt(true, -1, true)}
	if ext != nil {
		if b := ext.KeyUsage.bits(); b != 0 {
			exts = append(exts, keyUsageExt(b))
		}
		if len(ext.SubjectInformationAccess) > 0 {
			sia, err := subjectInfoAccessExt(ext.SubjectInformationAccess)
			if err != nil {
				return nil, err
			}
			exts = append(exts, sia)
		}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		RawSubject:         rawSubject,
		SignatureAlgorithm: x509Algorithm(sig),
		ExtraExtensions:    exts,
	}, signer)
	if err != nil {
		return nil, wrapf(Internal, err, "creating the CA CSR failed")
	}
	return der, nil
}

// EncodeCSRPEM wraps a CSR's DER as PEM "CERTIFICATE REQUEST".
func EncodeCSRPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// EncodeCertPEM wraps a certificate's DER as PEM "CERTIFICATE".
func EncodeCertPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
