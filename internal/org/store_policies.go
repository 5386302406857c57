package org

import (
	"context"
	"slices"
	"strings"

	"github.com/openpca/openpca/internal/store"
)

// --- policy types enabled on roots

func (s *Store) policyTypeEnabled(ctx context.Context, q querier, rootID, typ string) (bool, error) {
	n, err := s.countRows(ctx, q, `SELECT COUNT(*) FROM org_policy_types WHERE root_id = $1 AND policy_type = $2`, rootID, typ)
	return n > 0, err
}

// policyTypesOn lists the policy types enabled on a root.
func (s *Store) policyTypesOn(ctx context.Context, q querier, rootID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT policy_type FROM org_policy_types WHERE root_id = $1`, rootID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Store) enablePolicyType(ctx context.Context, q querier, orgID, rootID, typ string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_policy_types (org_id, root_id, policy_type) VALUES ($1, $2, $3)`, orgID, rootID, typ)
	return err
}

// disablePolicyType turns typ off and detaches every policy of that type.
func (s *Store) disablePolicyType(ctx context.Context, q querier, orgID, rootID, typ string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM org_policy_types WHERE root_id = $1 AND policy_type = $2`, rootID, typ); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `DELETE FROM org_policy_attachments WHERE org_id = $1 AND policy_type = $2`, orgID, typ)
	return err
}

// --- customer policies

const policyColumns = `id, org_id, name, description, policy_type, content, created_at`

func scanPolicy(sc interface{ Scan(...any) error }) (*policyRow, error) {
	var p policyRow
	var at int64
	if err := sc.Scan(&p.ID, &p.OrgID, &p.Name, &p.Description, &p.Type, &p.Content, &at); err != nil {
		return nil, err
	}
	p.CreatedAt = store.Time(at)
	return &p, nil
}

func (s *Store) insertPolicy(ctx context.Context, q querier, p *policyRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_policies (`+policyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ID, p.OrgID, p.Name, p.Description, p.Type, p.Content, store.Nanos(p.CreatedAt))
	return err
}

func (s *Store) updatePolicy(ctx context.Context, q querier, p *policyRow) error {
	_, err := q.ExecContext(ctx, `UPDATE org_policies SET name = $1, description = $2, content = $3 WHERE id = $4`, p.Name, p.Description, p.Content, p.ID)
	return err
}

func (s *Store) deletePolicy(ctx context.Context, q querier, orgID, id string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM org_tags WHERE org_id = $1 AND resource_id = $2`, orgID, id); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `DELETE FROM org_policies WHERE id = $1`, id)
	return err
}

// getPolicy returns a policy of org by ID, built-ins included; nil when
// there is none.
func (s *Store) getPolicy(ctx context.Context, q querier, orgID, id string) (*policyRow, error) {
	if b := builtinPolicy(id); b != nil {
		return b, nil
	}
	p, err := scanPolicy(q.QueryRowContext(ctx, `SELECT `+policyColumns+` FROM org_policies WHERE id = $1 AND org_id = $2`, id, orgID))
	return noRows(p, err)
}

// policies lists the org's policies of typ, built-ins included, by ID.
func (s *Store) policies(ctx context.Context, q querier, orgID, typ string) ([]*policyRow, error) {
	out := builtinPolicies(typ)
	rows, err := q.QueryContext(ctx, `SELECT `+policyColumns+` FROM org_policies WHERE org_id = $1 AND policy_type = $2 ORDER BY id`, orgID, typ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *policyRow) int { return strings.Compare(a.ID, b.ID) })
	return out, rows.Err()
}

func (s *Store) countPolicies(ctx context.Context, q querier, orgID string) (int, error) {
	return s.countRows(ctx, q, `SELECT COUNT(*) FROM org_policies WHERE org_id = $1`, orgID)
}

// --- attachments

func (s *Store) attach(ctx context.Context, q querier, orgID, policyID, targetID, typ string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO org_policy_attachments (org_id, policy_id, target_id, policy_type, attached_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, orgID, policyID, targetID, typ, store.Nanos(s.clk.Now()))
	return err
}

func (s *Store) detach(ctx context.Context, q querier, orgID, policyID, targetID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM org_policy_attachments WHERE org_id = $1 AND policy_id = $2 AND target_id = $3`, orgID, policyID, targetID)
	return err
}

func (s *Store) queryAttachments(ctx context.Context, q querier, query string, args ...any) ([]attachmentRow, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []attachmentRow
	for rows.Next() {
		var a attachmentRow
		if err := rows.Scan(&a.PolicyID, &a.TargetID, &a.PolicyType); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// attachmentsOfTarget lists the policies attached to a target, by policy ID.
func (s *Store) attachmentsOfTarget(ctx context.Context, q querier, orgID, targetID string) ([]attachmentRow, error) {
	return s.queryAttachments(ctx, q, `SELECT policy_id, target_id, policy_type FROM org_policy_attachments WHERE org_id = $1 AND target_id = $2 ORDER BY policy_id`, orgID, targetID)
}

// attachmentsOfPolicy lists the targets of a policy, by target ID.
func (s *Store) attachmentsOfPolicy(ctx context.Context, q querier, orgID, policyID string) ([]attachmentRow, error) {
	return s.queryAttachments(ctx, q, `SELECT policy_id, target_id, policy_type FROM org_policy_attachments WHERE org_id = $1 AND policy_id = $2 ORDER BY target_id`, orgID, policyID)
}
