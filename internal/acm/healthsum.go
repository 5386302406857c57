package acm

import (
	"context"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

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
