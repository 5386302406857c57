package pca

import (
	"context"
	"database/sql"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

// Sharing is what pca asks of RAM (implemented by internal/ram). The hooks
// run inside pca's policy transaction, so a share and the CA policy never
// disagree.
type Sharing interface {
	// PolicyPut records a hand-written PutPolicy document.
	PolicyPut(ctx context.Context, tx *sql.Tx, caARN, owner, doc string) error
	// PolicyDeleted removes the CA from its shares after DeletePolicy.
	PolicyDeleted(ctx context.Context, tx *sql.Tx, caARN string) error
	// SharedWith lists the CA ARNs shared with account in region through
	// accepted or automatic RAM shares.
	SharedWith(ctx context.Context, account, region string) ([]string, error)
}

// SetSharing connects RAM; call before serving.
func (s *Service) SetSharing(sh Sharing) { s.sharing = sh }

func sharedCAID(caARN string) string {
	_, id, _ := strings.Cut(caARN, ":certificate-authority/")
	return id
}

// SetSharedPolicy writes the policy RAM derived for a CA (doc "" removes
// it) inside RAM's transaction; RAM calls PolicyChanged after the commit.
func (s *Service) SetSharedPolicy(ctx context.Context, tx *sql.Tx, caARN, doc string) error {
	id := sharedCAID(caARN)
	s.invalidatePolicy(id)
	if doc == "" {
		return deletePolicyTx(ctx, tx, id)
	}
	_, err := putPolicyTx(ctx, tx, id, doc, "ram.amazonaws.com", s.clk.Now())
	return err
}

// PolicyChanged drops the cached policy of a CA whose policy RAM rewrote.
func (s *Service) PolicyChanged(caARN string) { s.invalidatePolicy(sharedCAID(caARN)) }

// StoredPolicy returns the CA's policy document as GetPolicy shows it.
func (s *Service) StoredPolicy(ctx context.Context, caARN string) (string, bool, error) {
	return s.getPolicy(ctx, sharedCAID(caARN))
}

// CAOwner returns the account owning a CA that exists (not DELETED).
func (s *Service) CAOwner(ctx context.Context, caARN string) (string, bool, error) {
	ca, err := s.loadCAFresh(ctx, nil, caARN)
	if err != nil {
		if e, ok := err.(*Error); ok && (e.Kind == ErrNotFound || e.Kind == ErrInvalidArn) {
			return "", false, nil
		}
		return "", false, err
	}
	if ca.Status == statusDeleted {
		return "", false, nil
	}
	return ca.Owner, true, nil
}

// listSharedCAs is ListCertificateAuthorities(OTHER_ACCOUNTS).
func (s *Service) listSharedCAs(ctx context.Context, caller *authz.Caller, scope string, offset, limit int, out *ListCertificateAuthoritiesOutput) (*ListCertificateAuthoritiesOutput, error) {
	if s.sharing == nil {
		return out, nil
	}
	region := caller.Region
	if region == "" {
		region = s.cfg.Region
	}
	arns, err := s.sharing.SharedWith(ctx, caller.AccountID, region)
	if err != nil {
		return nil, err
	}
	var cas []*caRow
	for _, arn := range arns {
		ca, err := s.loadCA(ctx, caller, arn)
		if err != nil {
			continue // deleted since it was shared
		}
		cas = append(cas, ca)
	}
	if offset > len(cas) {
		offset = len(cas)
	}
	end := min(offset+limit, len(cas))
	for _, ca := range cas[offset:end] {
		out.CertificateAuthorities = append(out.CertificateAuthorities, s.view(ca))
	}
	if end < len(cas) {
		out.NextToken = s.makeToken(scope, end)
	}
	return out, nil
}
