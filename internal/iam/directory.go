package iam

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

// ListPrincipals lists, for every account, its root user, its IAM users and
// a session of each of its IAM roles (named after the role), as requests
// signed by them would carry them. It feeds the who-can analysis
// (pca.Directory); service-linked roles are included like any role.
func (s *Store) ListPrincipals(ctx context.Context) ([]authz.Principal, error) {
	accts, err := s.listAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []authz.Principal
	for _, a := range accts {
		out = append(out, *s.rootPrincipal(a.ID))
		users, err := s.listEntities(ctx, s.db, "user", a.ID, "/")
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			tags, err := s.tags(ctx, s.db, u.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, *s.userPrincipal(u, tags))
		}
		roles, err := s.listRoles(ctx, s.db, a.ID, "/")
		if err != nil {
			return nil, err
		}
		for _, r := range roles {
			tags, err := s.tags(ctx, s.db, r.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, *s.rolePrincipal(r, r.Name, tags))
		}
	}
	return out, nil
}
