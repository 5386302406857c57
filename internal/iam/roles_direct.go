package iam

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/policy"
	"github.com/openpca/openpca/internal/store"
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
	path := normPath(spec.Path)
	if _, err := policy.Parse([]byte(spec.TrustPolicy), policy.Trust); err != nil {
		return nil, &Error{Kind: MalformedPolicyDocument, Message: err.Error()}
	}
	maxDur := spec.MaxSessionDuration
	if maxDur == 0 {
		maxDur = defaultSessionSeconds
	}
	for _, arn := range spec.ManagedPolicyARNs {
		if m := s.managed.get(arn); m != nil && m.serviceRolePolicy() {
			return nil, errorf(PolicyNotAttachable, "Cannot attach a Service Role Policy to a Customer Role.")
		}
	}
	r := &roleRow{
		ID: newUniqueID(prefixRole), AccountID: spec.AccountID, Name: spec.Name, Path: path, Description: spec.Description,
		TrustPolicy: spec.TrustPolicy, MaxSessionDuration: maxDur, CreatedAt: s.clk.Now(),
	}
	exists := errorf(EntityAlreadyExists, "Role with name %s already exists.", spec.Name)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if ok, err := s.accountExists(ctx, tx, spec.AccountID); err != nil {
			return err
		} else if !ok {
			return errorf(NoSuchEntity, "Account %s does not exist.", spec.AccountID)
		}
		if other, err := s.getRole(ctx, tx, spec.AccountID, spec.Name); err != nil {
			return err
		} else if other != nil {
			return exists
		}
		for _, arn := range spec.ManagedPolicyARNs {
			if s.managed.get(arn) != nil {
				continue
			}
			p, err := s.getPolicyByARN(ctx, tx, arn)
			if err != nil {
				return err
			}
			if p == nil || p.AccountID != spec.AccountID {
				return noSuchPolicy(arn)
			}
		}
		if err := s.insertRole(ctx, tx, r); err != nil {
			if store.IsUniqueViolation(err) {
				return exists
			}
			return err
		}
		for _, arn := range spec.ManagedPolicyARNs {
			if err := s.attach(ctx, tx, spec.AccountID, r.ID, "role", arn); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d := r.MaxSessionDuration
	return &Role{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: s.arn.role(r.AccountID, r.Path, r.Name), CreateDate: r.CreatedAt,
		AssumeRolePolicyDocument: r.TrustPolicy, Description: r.Description, MaxSessionDuration: &d,
	}, nil
}
