package org

import "context"

// UnitExists reports whether id is a root or OU of the organization orgID
// (RAM checks OU principals with it).
func (s *Store) UnitExists(ctx context.Context, orgID, id string) (bool, error) {
	u, err := s.getUnit(ctx, s.db, orgID, id)
	return u != nil, err
}
