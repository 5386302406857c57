package acm

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/pki"
)

// Failure reasons (FailureReason and RenewalStatusReason).
const (
	reasonAccessDenied  = "PCA_ACCESS_DENIED"
	reasonInvalidState  = "PCA_INVALID_STATE"
	reasonNotFound      = "PCA_RESOURCE_NOT_FOUND"
	reasonInvalidARN    = "PCA_INVALID_ARN"
	reasonInvalidArgs   = "PCA_INVALID_ARGS"
	reasonDuration      = "PCA_INVALID_DURATION"
	reasonLimit         = "PCA_LIMIT_EXCEEDED"
	reasonRequestFailed = "PCA_REQUEST_FAILED"
	reasonSLRNotFound   = "SLR_NOT_FOUND"
)

// issued is a signed certificate with its sealed key.
type issued struct {
	keyBlob            []byte
	der                []byte
	chain, pcaCertARN  string
	serial             string
	notBefore, notAfer time.Time
}

// signOutcome is either a certificate or the reason it was refused;
// internal (not a CA answer) failures carry err and are retried.
type signOutcome struct {
	cert   *issued
	reason string
	err    error
}

// issueFirst issues a requested certificate on the requester's authority.
func (s *Service) issueFirst(ctx context.Context, r *certRow, now time.Time) {
	if r.Requester == nil {
		r.Status, r.FailureReason, r.NextAttemptAt = statusFailed, "OTHER", time.Time{}
		return
	}
	out := s.sign(ctx, r, &authz.Caller{Principal: *r.Requester, Region: r.Region}, now)
	switch {
	case out.err != nil:
		s.cfg.Logger.Error("acm: issuance failed; will retry", "certificate", r.ARN, "error", out.err.Error())
		r.NextAttemptAt = now.Add(issueRetry)
	case out.reason != "":
		r.Status, r.FailureReason, r.NextAttemptAt = statusFailed, out.reason, time.Time{}
	default:
		r.install(out.cert, now)
		r.Status, r.NextAttemptAt = statusIssued, time.Time{}
	}
}

// install puts a freshly signed certificate in place of r's current one.
func (r *certRow) install(c *issued, now time.Time) {
	r.KeyBlob, r.CertDER, r.ChainPEM, r.PCACertArn = c.keyBlob, c.der, c.chain, c.pcaCertARN
	r.Serial, r.NotBefore, r.NotAfter, r.IssuedAt = c.serial, c.notBefore, c.notAfer, now
}

// sign makes a new key pair and asks the CA, as caller, for a certificate
// of r's names with the EndEntityCertificate/V1 template and 395 days.
func (s *Service) sign(ctx context.Context, r *certRow, caller *authz.Caller, now time.Time) signOutcome {
	facts, err := s.ca.CAFacts(ctx, r.CAArn)
	if err != nil {
		return pcaOutcome(err)
	}
	if facts.Status == "ACTIVE" {
		switch {
		case keyFamily(facts.KeyAlgorithm) != keyFamily(r.KeyAlg):
			return signOutcome{reason: reasonInvalidArgs}
		case facts.UsageMode == "SHORT_LIVED_CERTIFICATE":
			return signOutcome{reason: reasonInvalidArgs}
		case now.Add(Validity).After(facts.NotAfter):
			return signOutcome{reason: reasonDuration}
		}
	}
	key, err := pki.GenerateKey(pki.KeyAlgorithm(r.KeyAlg))
	if err != nil {
		return signOutcome{err: err}
	}
	tmpl := &x509.CertificateRequest{DNSNames: r.SANs}
	if len(r.Domain) <= 64 {
		tmpl.Subject = pkix.Name{CommonName: r.Domain}
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return signOutcome{err: err}
	}
	days := int64(Validity / (24 * time.Hour))
	out, err := s.ca.IssueCertificate(ctx, caller, &pca.IssueCertificateInput{
		CertificateAuthorityArn: r.CAArn,
		Csr:                     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}),
		SigningAlgorithm:        facts.SigningAlgorithm,
		Validity:                &pca.Validity{Type: "DAYS", Value: &days},
	})
	if err != nil {
		return pcaOutcome(err)
	}
	certPEM, chain, err := s.ca.IssuedCertificate(ctx, out.CertificateArn)
	if err != nil {
		return signOutcome{err: err}
	}
	blk, _ := pem.Decode([]byte(certPEM))
	if blk == nil {
		return signOutcome{err: errors.New("acm: the CA returned no certificate")}
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return signOutcome{err: err}
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return signOutcome{err: err}
	}
	sealed, err := s.sealer.Seal(p8, keyAD(r.ARN))
	if err != nil {
		return signOutcome{err: err}
	}
	return signOutcome{cert: &issued{
		keyBlob: sealed, der: blk.Bytes, chain: chain, pcaCertARN: out.CertificateArn,
		serial: colonHex(cert.SerialNumber.Bytes()), notBefore: cert.NotBefore, notAfer: cert.NotAfter,
	}}
}

// keyAD binds a sealed key to its certificate.
func keyAD(arn string) []byte { return []byte("openpca/acm/key/v1\x00" + arn) }

// keyFamily is "RSA" or "EC" for a key algorithm name.
func keyFamily(alg string) string {
	if i := strings.IndexByte(alg, '_'); i > 0 {
		return alg[:i]
	}
	return alg
}

// pcaOutcome turns the CA's answer into ACM's failure reason; errors that
// are not the CA's answer are internal and retried.
func pcaOutcome(err error) signOutcome {
	var denied *authz.DeniedError
	switch {
	case errors.As(err, &denied):
		return signOutcome{reason: reasonAccessDenied}
	case errors.Is(err, pca.ErrInvalidState):
		return signOutcome{reason: reasonInvalidState}
	case errors.Is(err, pca.ErrNotFound):
		return signOutcome{reason: reasonNotFound}
	case errors.Is(err, pca.ErrInvalidArn):
		return signOutcome{reason: reasonInvalidARN}
	case errors.Is(err, pca.ErrLimitExceeded):
		return signOutcome{reason: reasonLimit}
	case errors.Is(err, pca.ErrInvalidArgs), errors.Is(err, pca.ErrInvalidRequest), errors.Is(err, pca.ErrMalformedCSR):
		return signOutcome{reason: reasonInvalidArgs}
	case errors.Is(err, pca.ErrRequestFailed):
		return signOutcome{reason: reasonRequestFailed}
	}
	return signOutcome{err: err}
}

// colonHex writes a serial as ACM shows it: lower-case hex bytes joined by
// colons.
func colonHex(b []byte) string {
	const digits = "0123456789abcdef"
	if len(b) == 0 {
		return "00"
	}
	out := make([]byte, 0, len(b)*3-1)
	for i, x := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[x>>4], digits[x&0x0f])
	}
	return string(out)
}
