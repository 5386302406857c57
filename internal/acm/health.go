package acm

import (
	"context"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/store"
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

// RenewalHealthSummary is renewal health in bounded work: exact counts
// from aggregate queries, the expiry dates alone, and whole rows only for
// the certificates that expire first.
type RenewalHealthSummary struct {
	Total, Due, Succeeded, Failed, Predicted int
	NotAfters                                []time.Time     // of every dependent certificate
	Certificates                             []RenewalHealth // the first limit, soonest expiry first
}

// GetRenewalHealthSummary is GetRenewalHealth for a CA with many
// dependent certificates (the console's CA page), with the same access.
func (s *Service) GetRenewalHealthSummary(ctx context.Context, c *authz.Caller, in *CertificateAuthorityArnInput, limit int) (*RenewalHealthSummary, error) {
	if err := s.authorizeHealth(ctx, c, in.CertificateAuthorityArn); err != nil {
		return nil, err
	}
	ca, now := in.CertificateAuthorityArn, s.clk.Now()
	memo := map[string]sharedOutcome{}
	out := &RenewalHealthSummary{}
	const where = ` FROM acm_certificates WHERE ca_arn=$1 AND cert_type=$2 AND status=$3`
	rows, err := s.db.QueryContext(ctx, `SELECT account_id, region, key_algorithm, COUNT(*),
		SUM(CASE WHEN renewal_status='SUCCESS' THEN 1 ELSE 0 END), SUM(CASE WHEN renewal_status='FAILED' THEN 1 ELSE 0 END),
		SUM(CASE WHEN exported<>0 AND next_attempt_at<>0 AND next_attempt_at<=$4 THEN 1 ELSE 0 END)`+where+`
		GROUP BY account_id, region, key_algorithm`, ca, typePrivate, statusIssued, store.Nanos(now))
	if err != nil {
		return nil, err
	}
	var groups []*certRow
	var counts []int
	for rows.Next() {
		r := &certRow{CAArn: ca, Type: typePrivate, Status: statusIssued}
		var n, ok, failed, due int
		if err := rows.Scan(&r.Account, &r.Region, &r.KeyAlg, &n, &ok, &failed, &due); err != nil {
			rows.Close()
			return nil, err
		}
		out.Total, out.Succeeded, out.Failed, out.Due = out.Total+n, out.Succeeded+ok, out.Failed+failed, out.Due+due
		groups, counts = append(groups, r), append(counts, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, g := range groups {
		// With NotAfter unset the renewal would happen now: a reason then
		// (recipient, CA state, key family, or a CA ending within Validity
		// of now) holds for every certificate of the group. Otherwise only
		// those renewing too late for the CA fail: NotAfter-RenewBefore+
		// Validity after the CA's NotAfter.
		reason, err := s.predict(ctx, g, now, memo)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			out.Predicted += counts[i]
			continue
		}
		facts := memo[g.Account+"\x00"+g.Region+"\x00"+g.CAArn].facts
		var late int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+where+` AND account_id=$4 AND region=$5 AND key_algorithm=$6 AND not_after>$7`,
			ca, typePrivate, statusIssued, g.Account, g.Region, g.KeyAlg, store.Nanos(facts.NotAfter.Add(-Validity).Add(RenewBefore))).Scan(&late); err != nil {
			return nil, err
		}
		out.Predicted += late
	}
	nas, err := s.db.QueryContext(ctx, `SELECT not_after`+where, ca, typePrivate, statusIssued)
	if err != nil {
		return nil, err
	}
	defer nas.Close()
	for nas.Next() {
		var na int64
		if err := nas.Scan(&na); err != nil {
			return nil, err
		}
		out.NotAfters = append(out.NotAfters, store.Time(na))
	}
	if err := nas.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return out, nil
	}
	first, err := s.healthCertsOfCA(ctx, ca, limit)
	if err != nil {
		return nil, err
	}
	for _, r := range first {
		h, err := s.healthOf(ctx, r, now, memo)
		if err != nil {
			return nil, err
		}
		out.Certificates = append(out.Certificates, h)
	}
	return out, nil
}
