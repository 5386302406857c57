package iam

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// Inline policies.

type inlinePolicy struct {
	Name     string
	Document string
}

func (s *Store) putInline(ctx context.Context, q querier, entityID, name, doc string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_inline_policies (entity_id, name, document) VALUES ($1, $2, $3)
		ON CONFLICT (entity_id, name) DO UPDATE SET document = excluded.document`, entityID, name, doc)
	return err
}

func (s *Store) getInline(ctx context.Context, q querier, entityID, name string) (string, bool, error) {
	var doc string
	err := q.QueryRowContext(ctx, `SELECT document FROM iam_inline_policies WHERE entity_id = $1 AND name = $2`, entityID, name).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return doc, err == nil, err
}

func (s *Store) deleteInline(ctx context.Context, q querier, entityID, name string) (bool, error) {
	return execAffected(ctx, q, `DELETE FROM iam_inline_policies WHERE entity_id = $1 AND name = $2`, entityID, name)
}

func (s *Store) listInline(ctx context.Context, q querier, entityID string) ([]inlinePolicy, error) {
	return store.QueryAll(ctx, q, func(sc scanner) (inlinePolicy, error) {
		var p inlinePolicy
		err := sc.Scan(&p.Name, &p.Document)
		return p, err
	}, `SELECT name, document FROM iam_inline_policies WHERE entity_id = $1 ORDER BY name`, entityID)
}

// Managed policies.

// policyRow is a customer-managed policy, or an AWS-managed one (AccountID "aws").
type policyRow struct {
	ID             string
	AccountID      string
	ARN            string
	Name           string
	Path           string
	Description    string
	DefaultVersion string
	NextVersion    int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const policyColumns = `id, account_id, arn, name, path, description, default_version, next_version, created_at, updated_at`

func scanPolicy(sc scanner) (*policyRow, error) {
	var p policyRow
	var next, created, updated int64
	if err := sc.Scan(&p.ID, &p.AccountID, &p.ARN, &p.Name, &p.Path, &p.Description, &p.DefaultVersion, &next, &created, &updated); err != nil {
		return nil, err
	}
	p.NextVersion = int(next)
	p.CreatedAt, p.UpdatedAt = store.Time(created), store.Time(updated)
	return &p, nil
}

func (s *Store) insertPolicy(ctx context.Context, q querier, p *policyRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_policies (`+policyColumns+`, name_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.ID, p.AccountID, p.ARN, p.Name, p.Path, p.Description, p.DefaultVersion, int64(p.NextVersion),
		store.Nanos(p.CreatedAt), store.Nanos(p.UpdatedAt), strings.ToLower(p.Name))
	return err
}

func (s *Store) getPolicyByARN(ctx context.Context, q querier, arn string) (*policyRow, error) {
	return store.QueryOne(ctx, q, scanPolicy, `SELECT `+policyColumns+` FROM iam_policies WHERE arn = $1`, arn)
}

func (s *Store) listPolicies(ctx context.Context, q querier, acct string) ([]*policyRow, error) {
	return store.QueryAll(ctx, q, scanPolicy, `SELECT `+policyColumns+` FROM iam_policies WHERE account_id = $1 ORDER BY name_lower`, acct)
}

func (s *Store) updatePolicyVersions(ctx context.Context, q querier, id, defaultVersion string, next int, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_policies SET default_version = $1, next_version = $2, updated_at = $3 WHERE id = $4`,
		defaultVersion, int64(next), store.Nanos(at), id)
	return err
}

func (s *Store) deletePolicy(ctx context.Context, q querier, id string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM iam_tags WHERE entity_id = $1`, id); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM iam_policy_versions WHERE policy_id = $1`, id); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `DELETE FROM iam_policies WHERE id = $1`, id)
	return err
}

type policyVersion struct {
	VersionID string
	Document  string
	CreatedAt time.Time
}

func (s *Store) insertVersion(ctx context.Context, q querier, policyID string, v *policyVersion) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_policy_versions (policy_id, version_id, document, created_at) VALUES ($1, $2, $3, $4)`,
		policyID, v.VersionID, v.Document, store.Nanos(v.CreatedAt))
	return err
}

func scanVersion(sc scanner) (*policyVersion, error) {
	var v policyVersion
	var created int64
	if err := sc.Scan(&v.VersionID, &v.Document, &created); err != nil {
		return nil, err
	}
	v.CreatedAt = store.Time(created)
	return &v, nil
}

func (s *Store) getVersion(ctx context.Context, q querier, policyID, versionID string) (*policyVersion, error) {
	return store.QueryOne(ctx, q, scanVersion, `SELECT version_id, document, created_at FROM iam_policy_versions WHERE policy_id = $1 AND version_id = $2`,
		policyID, versionID)
}

func (s *Store) listVersions(ctx context.Context, q querier, policyID string) ([]policyVersion, error) {
	return store.QueryAll(ctx, q, func(sc scanner) (policyVersion, error) {
		v, err := scanVersion(sc)
		if err != nil {
			return policyVersion{}, err
		}
		return *v, nil
	}, `SELECT version_id, document, created_at FROM iam_policy_versions WHERE policy_id = $1 ORDER BY created_at DESC, version_id DESC`, policyID)
}

func (s *Store) deleteVersion(ctx context.Context, q querier, policyID, versionID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM iam_policy_versions WHERE policy_id = $1 AND version_id = $2`, policyID, versionID)
	return err
}

// Attachments.

type attachment struct {
	EntityID   string
	EntityKind string
	PolicyARN  string
}

func (s *Store) attach(ctx context.Context, q querier, acct, entityID, kind, policyARN string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_attachments (entity_id, entity_kind, account_id, policy_arn) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		entityID, kind, acct, policyARN)
	return err
}

func (s *Store) detach(ctx context.Context, q querier, entityID, policyARN string) (bool, error) {
	return execAffected(ctx, q, `DELETE FROM iam_attachments WHERE entity_id = $1 AND policy_arn = $2`, entityID, policyARN)
}

func (s *Store) attachedPolicies(ctx context.Context, q querier, entityID string) ([]string, error) {
	return store.QueryAll(ctx, q, func(sc scanner) (string, error) {
		var a string
		err := sc.Scan(&a)
		return a, err
	}, `SELECT policy_arn FROM iam_attachments WHERE entity_id = $1 ORDER BY policy_arn`, entityID)
}

// attachmentsOf lists the entities a policy is attached to within acct.
func (s *Store) attachmentsOf(ctx context.Context, q querier, acct, policyARN string) ([]attachment, error) {
	return store.QueryAll(ctx, q, func(sc scanner) (attachment, error) {
		var a attachment
		err := sc.Scan(&a.EntityID, &a.EntityKind, &a.PolicyARN)
		return a, err
	}, `SELECT entity_id, entity_kind, policy_arn FROM iam_attachments WHERE account_id = $1 AND policy_arn = $2`, acct, policyARN)
}
