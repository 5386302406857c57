package acm

import (
	"context"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

const (
	renewalPending = "PENDING_AUTO_RENEWAL"
	renewalSuccess = "SUCCESS"
	renewalFailed  = "FAILED"

	eligible   = "ELIGIBLE"
	ineligible = "INELIGIBLE"
)

// renewalDue is when managed renewal of an exported certificate starts.
func renewalDue(notAfter time.Time) time.Time { return notAfter.Add(-RenewBefore) }

// renewalCaller is the principal ACM renews r as: for a CA of r's own
// account, the service principal acm.amazonaws.com acting for the account
// (allowed by the CA's CreatePermission grant); for a CA of another
// account, a session of ACM's service-linked role in r's account (allowed
// by the CA's resource policy). The reason is SLR_NOT_FOUND when that role
// does not exist.
func (s *Service) renewalCaller(ctx context.Context, r *certRow) (*authz.Caller, string, error) {
	caAcct, ok := caAccount(r.CAArn)
	if !ok {
		return nil, reasonInvalidARN, nil
	}
	if caAcct == r.Account {
		return &authz.Caller{Principal: authz.Principal{Type: authz.TypeService, ServiceName: acmService,
			AccountID: r.Account}, Region: r.Region}, "", nil
	}
	p, err := s.roles.ServiceLinkedRole(ctx, r.Account, r.Region)
	if err != nil {
		return nil, "", err
	}
	if p == nil {
		return nil, reasonSLRNotFound, nil
	}
	return &authz.Caller{Principal: *p, Region: r.Region}, "", nil
}

// renew makes one renewal attempt for r (due: its NextAttemptAt has come,
// set at export to RenewBefore NotAfter, or now by RenewCertificate): a new
// key and certificate under the same ARN, or the reason it failed, retried
// every RetryInterval until the certificate expires (then FAILED).
func (s *Service) renew(ctx context.Context, r *certRow, now time.Time) {
	caller, reason, err := s.renewalCaller(ctx, r)
	var out signOutcome
	switch {
	case err != nil:
		out.err = err
	case reason != "":
		out.reason = reason
	default:
		out = s.sign(ctx, r, caller, now)
	}
	r.RenewalUpdatedAt = now
	if s.cfg.OnRenewal != nil {
		defer func() { s.cfg.OnRenewal(r.RenewalStatus, r.RenewalReason) }()
	}
	switch {
	case out.err != nil:
		s.cfg.Logger.Error("acm: renewal attempt failed; will retry", "certificate", r.ARN, "error", out.err.Error())
		r.RenewalStatus, r.RenewalReason = renewalPending, reasonRequestFailed
	case out.reason != "":
		r.RenewalStatus, r.RenewalReason = renewalPending, out.reason
	default:
		r.install(out.cert, now)
		// The renewed certificate must be exported again to stay managed.
		r.RenewalStatus, r.RenewalReason, r.Exported = renewalSuccess, "", false
		r.NextAttemptAt = time.Time{}
		return
	}
	next := now.Add(RetryInterval)
	if !next.Before(r.NotAfter) {
		// No attempt is left before the certificate expires.
		r.RenewalStatus, r.NextAttemptAt = renewalFailed, time.Time{}
		return
	}
	r.NextAttemptAt = next
}

// RenewCertificate runs a renewal attempt now for an exported private
// certificate; the outcome shows in DescribeCertificate's RenewalSummary.
func (s *Service) RenewCertificate(ctx context.Context, c *authz.Caller, in *CertificateArnInput) (*Empty, error) {
	r, err := s.load(ctx, c, "RenewCertificate", in.CertificateArn)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status == statusPending:
		return nil, inProgress(r.ARN)
	case r.Type != typePrivate || r.Status != statusIssued:
		return nil, errf(ErrValidation, "Certificate ARN %s is not eligible for the Renew Certificate API.", r.ARN)
	case !r.Exported:
		return nil, errf(ErrValidation, "Certificate ARN %s has not been exported so it is not eligible for the Renew Certificate API.", r.ARN)
	}
	now := s.clk.Now()
	r.RenewalStatus, r.RenewalReason, r.RenewalUpdatedAt = renewalPending, "", now
	r.NextAttemptAt = now
	if err := s.saveCert(ctx, s.db, r); err != nil {
		return nil, err
	}
	s.wake()
	return &Empty{}, nil
}

// renewalEligibility is ELIGIBLE for exported, issued private certificates.
func (r *certRow) renewalEligibility() string {
	if r.Type == typePrivate && r.Status == statusIssued && r.Exported {
		return eligible
	}
	return ineligible
}
