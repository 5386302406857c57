package iam

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// roleRow is one role.
type roleRow struct {
	ID                 string
	AccountID          string
	Name               string
	Path               string
	Description        string
	TrustPolicy        string
	MaxSessionDuration int
	ServiceName        string // set for service-linked roles
	CreatedAt          time.Time
	Boundary           string // permissions boundary policy ARN, "" for none
}

const roleColumns = `id, account_id, name, path, description, trust_policy, max_session_duration, service_name, created_at, permissions_boundary`

func scanRole(sc scanner) (*roleRow, error) {
	var r roleRow
	var created, maxDur int64
	if err := sc.Scan(&r.ID, &r.AccountID, &r.Name, &r.Path, &r.Description, &r.TrustPolicy, &maxDur, &r.ServiceName, &created, &r.Boundary); err != nil {
		return nil, err
	}
	r.MaxSessionDuration = int(maxDur)
	r.CreatedAt = store.Time(created)
	return &r, nil
}

func (s *Store) insertRole(ctx context.Context, q querier, r *roleRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_roles (`+roleColumns+`, name_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.AccountID, r.Name, r.Path, r.Description, r.TrustPolicy, int64(r.MaxSessionDuration), r.ServiceName, store.Nanos(r.CreatedAt), r.Boundary, strings.ToLower(r.Name))
	return err
}

func (s *Store) getRole(ctx context.Context, q querier, acct, name string) (*roleRow, error) {
	return store.QueryOne(ctx, q, scanRole, `SELECT `+roleColumns+` FROM iam_roles WHERE account_id = $1 AND name_lower = $2`, acct, strings.ToLower(name))
}

func (s *Store) getRoleByID(ctx context.Context, q querier, id string) (*roleRow, error) {
	return store.QueryOne(ctx, q, scanRole, `SELECT `+roleColumns+` FROM iam_roles WHERE id = $1`, id)
}

func (s *Store) listRoles(ctx context.Context, q querier, acct, pathPrefix string) ([]*roleRow, error) {
	all, err := store.QueryAll(ctx, q, scanRole, `SELECT `+roleColumns+` FROM iam_roles WHERE account_id = $1 ORDER BY name_lower`, acct)
	if err != nil {
		return nil, err
	}
	return underPath(all, func(r *roleRow) string { return r.Path }, pathPrefix), nil
}

func (s *Store) updateRoleTrust(ctx context.Context, q querier, id, doc string) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_roles SET trust_policy = $1 WHERE id = $2`, doc, id)
	return err
}

func (s *Store) updateRole(ctx context.Context, q querier, id, description string, maxDur int) error {
	_, err := q.ExecContext(ctx, `UPDATE iam_roles SET description = $1, max_session_duration = $2 WHERE id = $3`, description, int64(maxDur), id)
	return err
}

// deleteRole removes the role and what hangs off it (tags, inline policies,
// attachments, its sessions).
func (s *Store) deleteRole(ctx context.Context, q querier, id string) error {
	for _, stmt := range []string{
		`DELETE FROM iam_tags WHERE entity_id = $1`,
		`DELETE FROM iam_inline_policies WHERE entity_id = $1`,
		`DELETE FROM iam_attachments WHERE entity_id = $1`,
		`DELETE FROM iam_sessions WHERE role_id = $1`,
		`DELETE FROM iam_roles WHERE id = $1`,
	} {
		if _, err := q.ExecContext(ctx, stmt, id); err != nil {
			return err
		}
	}
	s.wrote(q)
	return nil
}

func (s *Store) insertSLRDeletion(ctx context.Context, q querier, taskID, acct, status string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO iam_slr_deletions (task_id, account_id, status, created_at) VALUES ($1, $2, $3, $4)`,
		taskID, acct, status, store.Nanos(at))
	return err
}

func (s *Store) slrDeletionStatus(ctx context.Context, q querier, taskID, acct string) (string, error) {
	var status string
	err := q.QueryRowContext(ctx, `SELECT status FROM iam_slr_deletions WHERE task_id = $1 AND account_id = $2`, taskID, acct).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return status, err
}
