package pca

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// StoredPolicy returns the CA's policy document as GetPolicy shows it
// (users and roles by ARN while they exist).
func (s *Service) StoredPolicy(ctx context.Context, caARN string) (string, bool, error) {
	doc, ok, err := s.getPolicy(ctx, sharedCAID(caARN))
	if err != nil || !ok {
		return doc, ok, err
	}
	doc, err = s.ShowPolicy(ctx, doc)
	return doc, err == nil, err
}

// ShowPolicy turns the unique IDs of a policy in stored form back into the
// ARNs of the users and roles that still exist.
func (s *Service) ShowPolicy(ctx context.Context, doc string) (string, error) {
	if m := s.principalMapper(); m != nil {
		return m.ShowPolicyPrincipals(ctx, doc)
	}
	return doc, nil
}

// PrincipalIDs maps IAM user and role ARNs to the unique IDs of the
// entities they name now; ARNs naming nothing (and other principals) are
// left out. RAM ties its user and role principals to these IDs, as
// PutPolicy does for hand-written documents.
func (s *Service) PrincipalIDs(ctx context.Context, arns []string) (map[string]string, error) {
	m := s.principalMapper()
	if m == nil || len(arns) == 0 {
		return nil, nil
	}
	// The mapper rewrites documents: hand it one naming just these ARNs.
	type doc struct {
		Statement []struct{ Principal struct{ AWS []string } }
	}
	var in doc
	in.Statement = make([]struct{ Principal struct{ AWS []string } }, 1)
	in.Statement[0].Principal.AWS = arns
	b, _ := json.Marshal(in)
	stored, err := m.StorePolicyPrincipals(ctx, string(b))
	if err != nil {
		return nil, err
	}
	var out doc
	if err := json.Unmarshal([]byte(stored), &out); err != nil || len(out.Statement) != 1 || len(out.Statement[0].Principal.AWS) != len(arns) {
		return nil, fmt.Errorf("pca: principal mapper changed the document's shape: %v", err)
	}
	ids := map[string]string{}
	for i, v := range out.Statement[0].Principal.AWS {
		if v != arns[i] {
			ids[arns[i]] = v
		}
	}
	return ids, nil
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
