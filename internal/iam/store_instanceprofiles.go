package iam

import (
	"context"
	"github.com/openpca/openpca/internal/store"
)

// Instance profiles live in iam_instance_profiles, which has the entity
// columns, so the entity helpers (lookups, tags, deletion) serve them too.
func init() { entityTable[kindInstanceProfile.name] = "iam_instance_profiles" }

// profileRole returns the ID of the role in profile id ("" when empty).
func (s *Store) profileRole(ctx context.Context, q querier, id string) (string, error) {
	var roleID string
	err := q.QueryRowContext(ctx, `SELECT role_id FROM iam_instance_profiles WHERE id = $1`, id).Scan(&roleID)
	return roleID, err
}

// setProfileRole puts roleID into profile id if it holds no role (or takes
// it out, with roleID "" and want the role to remove); it reports whether
// the row changed, so two concurrent adds cannot both win.
func (s *Store) setProfileRole(ctx context.Context, q querier, id, want, roleID string) (bool, error) {
	return execAffected(ctx, q, `UPDATE iam_instance_profiles SET role_id = $1 WHERE id = $2 AND role_id = $3`, roleID, id, want)
}

// profilesOfRole lists the profiles that hold role roleID, by name.
func (s *Store) profilesOfRole(ctx context.Context, q querier, roleID string) ([]*entity, error) {
	return store.QueryAll(ctx, q, scanEntity, `SELECT id, account_id, name, path, created_at FROM iam_instance_profiles WHERE role_id = $1 ORDER BY name_lower`, roleID)
}

// profileRoles maps each profile of the account that holds a role to it.
func (s *Store) profileRoles(ctx context.Context, q querier, acct string) (map[string]string, error) {
	type pair struct{ profile, role string }
	rows, err := store.QueryAll(ctx, q, func(sc scanner) (pair, error) {
		var p pair
		err := sc.Scan(&p.profile, &p.role)
		return p, err
	}, `SELECT id, role_id FROM iam_instance_profiles WHERE account_id = $1 AND role_id <> ''`, acct)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, p := range rows {
		out[p.profile] = p.role
	}
	return out, nil
}
