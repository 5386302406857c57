package pca

import (
	"context"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/store"
)

// permissionRow is one pca_permissions row.
type permissionRow struct {
	Principal, SourceAccount string
	Actions                  []string
	CreatedAt                time.Time
}

// insertPermission stores p; exists reports a permission already held by
// the principal and source account.
func (s *Service) insertPermission(ctx context.Context, caID string, p *permissionRow) (exists bool, err error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO pca_permissions (ca_id, principal, source_account, actions, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ca_id, principal, source_account) DO NOTHING`,
		caID, p.Principal, p.SourceAccount, strings.Join(p.Actions, ","), store.Nanos(p.CreatedAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 0, err
}

// deletePermission removes a permission; found is false when none existed.
func (s *Service) deletePermission(ctx context.Context, caID, principal, sourceAccount string) (found bool, err error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM pca_permissions WHERE ca_id = $1 AND principal = $2 AND source_account = $3`,
		caID, principal, sourceAccount)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// listPermissionRows returns the CA's permissions, oldest first.
func (s *Service) listPermissionRows(ctx context.Context, caID string) ([]*permissionRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT principal, source_account, actions, created_at FROM pca_permissions
		WHERE ca_id = $1 ORDER BY created_at, principal, source_account`, caID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*permissionRow
	for rows.Next() {
		var p permissionRow
		var actions string
		var created int64
		if err := rows.Scan(&p.Principal, &p.SourceAccount, &actions, &created); err != nil {
			return nil, err
		}
		p.Actions = strings.Split(actions, ",")
		p.CreatedAt = store.Time(created)
		out = append(out, &p)
	}
	return out, rows.Err()
}
