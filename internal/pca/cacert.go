package pca

import (
	"bytes"
	"context"

	"crypto/x509"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pki"
)

// GetCertificateAuthorityCsr returns the CA's CSR (PEM). While the CA is
// CREATING the answer is RequestInProgressException, which the SDK's
// CertificateAuthorityCSRCreated waiter retries on.
func (s *Service) GetCertificateAuthorityCsr(ctx context.Context, caller *authz.Caller, in *GetCertificateAuthorityCsrInput) (*GetCertificateAuthorityCsrOutput, error) {
	ca, err := s.findCA(ctx, caller, "GetCertificateAuthorityCsr", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "GetCertificateAuthorityCsr", ca, nil); err != nil {
		return nil, err
	}
	switch ca.Status {
	case statusCreating:
		return nil, errf(ErrRequestInProgress, "The certificate signing request for %s is still being created.", ca.ARN)
	case statusFailed, statusDeleted:
		return nil, wrongState(ca.ARN, "have a certificate signing request")
	}
	return &GetCertificateAuthorityCsrOutput{Csr: pemString(pki.EncodeCSRPEM(ca.CSR))}, nil
}

// ImportCertificateAuthorityCertificate installs the CA certificate (and,
// for a subordinate, its chain, root last). PENDING_CERTIFICATE becomes
// ACTIVE; ACTIVE and EXPIRED CAs get their certificate replaced (an EXPIRED
// CA returns to the status it had, ACTIVE or DISABLED).
func (s *Service) ImportCertificateAuthorityCertificate(ctx context.Context, caller *authz.Caller, in *ImportCertificateAuthorityCertificateInput) (*Empty, error) {
	ca, err := s.findCAFresh(ctx, caller, "ImportCertificateAuthorityCertificate", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "ImportCertificateAuthorityCertificate", ca, nil); err != nil {
		return nil, err
	}
	now := s.clk.Now()
	newStatus := statusActive
	switch ca.effectiveStatus(now) {
	case statusPending, statusActive:
	case statusExpired:
		newStatus = ca.Status // ACTIVE or DISABLED before expiry
	default:
		return nil, wrongState(ca.ARN, "import a certificate")
	}
	cert, err := pki.ParseCertificatePEM(in.Certificate)
	if err != nil {
		return nil, fromPKI(err)
	}
	var chainPEM []byte
	var chain []*x509.Certificate
	if len(bytes.TrimSpace(in.CertificateChain)) > 0 {
		parsed, err := pki.ParseChainPEM(in.CertificateChain)
		if err != nil {
			return nil, fromPKI(err)
		}
		for _, c := range parsed {
			chain = append(chain, c)
			chainPEM = append(chainPEM, pki.EncodeCertPEM(c.Raw)...)
		}
	}
	signer, err := s.keys.Signer(ctx, ca.KeyHandle, ca.KeyBlob)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The certificate authority key is not available.", Err: err}
	}
	if err := pki.VerifyCAImport(cert, chain, signer.Public(), ca.Type == "ROOT", now); err != nil {
		return nil, fromPKI(err)
	}
	if err := s.installCert(ctx, ca, cert.Raw, chainPEM, pki.SerialHex(cert.SerialNumber), cert.NotBefore, cert.NotAfter, newStatus, now); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// GetCertificateAuthorityCertificate returns the CA certificate and, for a
// subordinate, its chain (absent for a root).
func (s *Service) GetCertificateAuthorityCertificate(ctx context.Context, caller *authz.Caller, in *GetCertificateAuthorityCertificateInput) (*GetCertificateAuthorityCertificateOutput, error) {
	ca, err := s.findCA(ctx, caller, "GetCertificateAuthorityCertificate", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "GetCertificateAuthorityCertificate", ca, nil); err != nil {
		return nil, err
	}
	switch ca.effectiveStatus(s.clk.Now()) {
	case statusActive, statusDisabled, statusExpired:
	default:
		return nil, wrongState(ca.ARN, "have a certificate")
	}
	out := &GetCertificateAuthorityCertificateOutput{Certificate: pemString(pki.EncodeCertPEM(ca.Cert))}
	if len(ca.Chain) > 0 {
		out.CertificateChain = pemString(ca.Chain)
	}
	return out, nil
}

// pemString is PEM as AWS answers it: blocks separated by one newline, none
// after the last -----END …----- line (clients that compare strings, such
// as Terraform, see a diff otherwise).
func pemString(b []byte) string {
	return strings.TrimRight(string(b), "\r\n")
}

// selfSigned reports whether der is a self-signed certificate (a root's own,
// installed or not yet).
func selfSigned(der []byte) bool {
	c, err := x509.ParseCertificate(der)
	return err == nil && bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}
