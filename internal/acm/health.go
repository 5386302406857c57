package acm

import (
	"context"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pca"
)

// Renewal health: AWS shows a renewal failure only to the recipient, after
// it happens. OpenPCA also lets the CA's owner see every managed
// certificate that depends on its CA and predicts, by asking the same
// questions the renewal will ask, which renewals would fail now. The owner
// sees; only the recipient can fix what is the recipient's.

// CertificateAuthorityArnInput names a CA.
type CertificateAuthorityArnInput struct {
	CertificateAuthorityArn string `required:"true" min:"20" max:"2048" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
}

// RenewalHealth is one dependent certificate and its predicted renewal.
type RenewalHealth struct {
	AccountId          string
	CertificateArn     string
	Status             string
	NotAfter           time.Time
	RenewalEligibility string
	// NextRenewalAt is when managed renewal will next try (zero when the
	// certificate is not eligible: not exported since its last issuance).
	NextRenewalAt time.Time
	// LastRenewalStatus and LastRenewalReason are what the recipient sees.
	LastRenewalStatus string `json:",omitempty"`
	LastRenewalReason string `json:",omitempty"`
	// PredictedOutcome is SUCCESS or FAILURE for a renewal attempted now;
	// PredictedReason is the reason code it would fail with.
	PredictedOutcome string
	PredictedReason  string `json:",omitempty"`
	// FixedBy says who can fix a predicted failure: RECIPIENT or CA_OWNER.
	FixedBy string `json:",omitempty"`
}

// RenewalHealthOutput lists the CA's dependent managed certificates.
type RenewalHealthOutput struct {
	Certificates []RenewalHealth
}

// GetRenewalHealth (OpenPCA extension, CertificateManager.OpenPCAGetRenewalHealth)
// lists every managed certificate the CA signs, in every account, with its
// predicted renewal outcome. Only the CA's owner may ask; it needs
// acm-pca:DescribeCertificateAuthority on the CA.
func (s *Service) GetRenewalHealth(ctx context.Context, c *authz.Caller, in *CertificateAuthorityArnInput) (*RenewalHealthOutput, error) {
	if err := s.authorizeHealth(ctx, c, in.CertificateAuthorityArn); err != nil {
		return nil, err
	}
	return s.RenewalHealthOf(ctx, in.CertificateAuthorityArn)
}

// authorizeHealth lets only the CA's owner, with
// acm-pca:DescribeCertificateAuthority on it, see its renewal health.
func (s *Service) authorizeHealth(ctx context.Context, c *authz.Caller, caARN string) error {
	owner, ok := caAccount(caARN)
	if !ok {
		return errf(ErrInvalidArn, "String '%s' is not a valid ARN.", caARN)
	}
	req := &authz.Request{Caller: c, Action: "acm-pca:DescribeCertificateAuthority", Resource: caARN, ResourceAccount: owner}
	if err := s.engine.Check(ctx, req); err != nil {
		return err
	}
	if owner != c.AccountID {
		// Identity policies alone never reach another account's CA.
		d := &authz.Decision{Reason: authz.DeniedNoResourceAllow}
		d.Message = authz.DenialMessage(&c.Principal, req.Action, req.Resource, d.Reason)
		return &authz.DeniedError{Decision: d}
	}
	return nil
}

// RenewalHealthOf is GetRenewalHealth without the caller (the operator's
// `openpca admin renewal-health`).
func (s *Service) RenewalHealthOf(ctx context.Context, caARN string) (*RenewalHealthOutput, error) {
	rows, err := s.healthCertsOfCA(ctx, caARN, 0)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	out := &RenewalHealthOutput{Certificates: []RenewalHealth{}}
	memo := map[string]sharedOutcome{}
	for _, r := range rows {
		h, err := s.healthOf(ctx, r, now, memo)
		if err != nil {
			return nil, err
		}
		out.Certificates = append(out.Certificates, h)
	}
	return out, nil
}

func (s *Service) healthOf(ctx context.Context, r *certRow, now time.Time, memo map[string]sharedOutcome) (RenewalHealth, error) {
	h := RenewalHealth{AccountId: r.Account, CertificateArn: r.ARN, Status: s.status(r), NotAfter: r.NotAfter,
		RenewalEligibility: r.renewalEligibility(), LastRenewalStatus: r.RenewalStatus, LastRenewalReason: r.RenewalReason}
	if r.Exported {
		h.NextRenewalAt = r.NextAttemptAt
	}
	reason, err := s.predict(ctx, r, now, memo)
	if err != nil {
		return h, err
	}
	h.PredictedOutcome = "SUCCESS"
	if reason != "" {
		h.PredictedOutcome, h.PredictedReason, h.FixedBy = "FAILURE", reason, fixedBy(reason)
	}
	return h, nil
}

// sharedOutcome is the part of a prediction that depends only on the
// recipient account, region and CA, not on the certificate: computed once
// per RenewalHealthOf for each of them, so that a CA with thousands of
// dependent certificates is judged in a few authorization calls.
type sharedOutcome struct {
	reason string
	facts  *pca.CAFacts
	err    error
}

func (s *Service) predictShared(ctx context.Context, r *certRow) sharedOutcome {
	caller, reason, err := s.renewalCaller(ctx, r)
	if err != nil || reason != "" {
		return sharedOutcome{reason: reason, err: err}
	}
	facts, err := s.ca.CAFacts(ctx, r.CAArn)
	if err != nil {
		if out := pcaOutcome(err); out.reason != "" {
			return sharedOutcome{reason: out.reason}
		}
		return sharedOutcome{err: err}
	}
	if err := s.ca.CanIssue(ctx, caller, r.CAArn); err != nil {
		var denied *authz.DeniedError
		if errors.As(err, &denied) {
			return sharedOutcome{reason: reasonAccessDenied}
		}
		return sharedOutcome{err: err}
	}
	return sharedOutcome{facts: facts}
}

// predict returns the reason a renewal of r attempted now would fail
// with, "" when it would succeed. memo keeps the shared outcomes.
func (s *Service) predict(ctx context.Context, r *certRow, now time.Time, memo map[string]sharedOutcome) (string, error) {
	k := r.Account + "\x00" + r.Region + "\x00" + r.CAArn
	o, ok := memo[k]
	if !ok {
		o = s.predictShared(ctx, r)
		memo[k] = o
	}
	if o.err != nil || o.reason != "" {
		return o.reason, o.err
	}
	facts := o.facts
	switch {
	case facts.Status != "ACTIVE":
		return reasonInvalidState, nil
	case keyFamily(facts.KeyAlgorithm) != keyFamily(r.KeyAlg) || facts.UsageMode == "SHORT_LIVED_CERTIFICATE":
		return reasonInvalidArgs, nil
	}
	// The renewal happens at the due date (or now, if that has passed);
	// the renewed certificate must not outlive the CA.
	at := renewalDue(r.NotAfter)
	if at.Before(now) {
		at = now
	}
	if at.Add(Validity).After(facts.NotAfter) {
		return reasonDuration, nil
	}
	return "", nil
}

// fixedBy says who can fix a renewal failure (aws-semantics.md §6.4).
func fixedBy(reason string) string {
	switch reason {
	case reasonSLRNotFound, reasonNotFound:
		return "RECIPIENT"
	}
	return "CA_OWNER"
}
