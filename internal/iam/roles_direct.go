package iam

import (
	"context"
	"database/sql"
)

// RoleSpec describes a role another service creates in an account on the
// account's behalf (Organizations' OrganizationAccountAccessRole).
type RoleSpec struct {
	AccountID   string
	Name        string
	Path        string // "/" when empty
	Description string
	// TrustPolicy is the AssumeRolePolicyDocument.
	TrustPolicy string
	// ManagedPolicyARNs are attached to the role: AWS-managed policies
	// (not service-role ones) or customer policies of the account.
	ManagedPolicyARNs []string
	// MaxSessionDuration in seconds; 3600 when zero.
	MaxSessionDuration int
}

// CreateRoleDirect creates a role with its trust policy and attached
// managed policies in one transaction, without a caller: the service that
// asks has already authorized its own operation. It fails with
// EntityAlreadyExists when the name is taken, NoSuchEntity for an unknown
// account or policy, MalformedPolicyDocument for a bad trust policy.
func (s *Store) CreateRoleDirect(ctx context.Context, spec RoleSpec) (*Role, error) {
	var out *Role
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.CreateRoleDirectTx(ctx, tx, spec)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
