package pca

import (
	"context"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pki"
)

// CAFacts is what ACM must know about a CA before it asks the CA to sign
// a managed certificate: read without authorization, for the service's own
// decisions (key family, duration), never shown to a caller as such.
type CAFacts struct {
	ARN, Owner, Status string
	UsageMode          string
	KeyAlgorithm       string
	SigningAlgorithm   string
	NotAfter           time.Time
}

// CAFacts returns the facts of the CA with arn, or ErrNotFound /
// ErrInvalidArn.
func (s *Service) CAFacts(ctx context.Context, arn string) (*CAFacts, error) {
	ca, err := s.loadCA(ctx, nil, arn)
	if err != nil {
		return nil, err
	}
	return &CAFacts{
		ARN: ca.ARN, Owner: ca.Owner, Status: ca.effectiveStatus(s.clk.Now()), UsageMode: ca.UsageMode,
		KeyAlgorithm: ca.Config.KeyAlgorithm, SigningAlgorithm: ca.Config.SigningAlgorithm, NotAfter: ca.NotAfter,
	}, nil
}

// IssuedCertificate returns a certificate (PEM) the caller has just been
// allowed to issue, with its chain, without a second authorization: ACM
// reads back what IssueCertificate signed on its behalf.
func (s *Service) IssuedCertificate(ctx context.Context, certARN string) (cert, chain string, err error) {
	caARN, serial, ok := strings.Cut(certARN, "/certificate/")
	if !ok {
		return "", "", errf(ErrInvalidArn, "The certificate ARN %s is not valid.", certARN)
	}
	ca, err := s.loadCA(ctx, nil, caARN)
	if err != nil {
		return "", "", err
	}
	n, err := pki.ParseSerial(serial)
	if err != nil {
		return "", "", errf(ErrInvalidArn, "The certificate ARN %s is not valid.", certARN)
	}
	der, err := s.getCert(ctx, ca.ID, pki.SerialHex(n))
	if err != nil {
		return "", "", err
	}
	if der == nil {
		return "", "", errf(ErrNotFound, "Could not find certificate %s.", certARN)
	}
	chain = ca.issuedChain
	if chain == "" && len(ca.Cert) > 0 {
		chain = string(pki.EncodeCertPEM(ca.Cert)) + string(ca.Chain)
	}
	return string(pki.EncodeCertPEM(der)), chain, nil
}

// CanIssue answers whether caller may issue from the CA with the default
// template now (nil, or the *authz.DeniedError a call would get): the
// question a renewal will ask, asked without signing anything.
func (s *Service) CanIssue(ctx context.Context, caller *authz.Caller, caARN string) error {
	ca, err := s.loadCA(ctx, caller, caARN)
	if err != nil {
		return err
	}
	return s.authorize(ctx, caller, "IssueCertificate", ca, nil)
}
