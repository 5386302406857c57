package iam

import (
	"context"
	"database/sql"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/policy"
)

const (
	maxRolesPerAccount    = 1000
	maxTrustPolicySize    = 2048
	defaultSessionSeconds = 3600
	maxRoleSessionSeconds = 43200
)

func (s *Service) checkTrustDocument(doc string) error {
	if err := s.validateDocument(doc, policy.Trust); err != nil {
		return err
	}
	if compactLen(doc) > maxTrustPolicySize {
		return errorf(LimitExceeded, "Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return nil
}

type CreateRoleInput struct {
	Path                     string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	RoleName                 string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	AssumeRolePolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	Description              string `max:"1000" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"`
	MaxSessionDuration       *int   `min:"3600" max:"43200"`
	PermissionsBoundary      string `min:"20" max:"2048"`
	Tags                     []Tag  `max:"50"`
}

type RoleOutput struct {
	Role Role
}

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(ctx context.Context, c *authz.Caller, in *CreateRoleInput) (*RoleOutput, error) {
	path := normPath(in.Path)
	if err := s.authorize(ctx, c, "iam:CreateRole", s.arn.role(c.AccountID, path, in.RoleName), boundaryContext(tagContext(in.Tags), in.PermissionsBoundary)); err != nil {
		return nil, err
	}
	if strings.HasPrefix(path, slrPathPrefix) {
		// Only CreateServiceLinkedRole may use it: authz exempts
		// service-linked roles from SCPs.
		return nil, errorf(InvalidInput, "Path prefix '%s' can only be used for AWS Service linked Roles", slrPathPrefix)
	}
	if in.PermissionsBoundary != "" {
		if err := s.checkBoundary(ctx, c.AccountID, in.PermissionsBoundary); err != nil {
			return nil, err
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := s.checkTrustDocument(in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	trust, err := s.st.trustForStorage(ctx, in.AssumeRolePolicyDocument)
	if err != nil {
		return nil, err
	}
	maxDur := defaultSessionSeconds
	if in.MaxSessionDuration != nil {
		maxDur = *in.MaxSessionDuration
	}
	r := &roleRow{
		ID: newUniqueID(prefixRole), AccountID: c.AccountID, Name: in.RoleName, Path: path, Description: in.Description,
		TrustPolicy: trust, MaxSessionDuration: maxDur, CreatedAt: s.clk.Now(),
		Boundary: in.PermissionsBoundary,
	}
	if err := s.insertRoleChecked(ctx, r, in.Tags, errorf(EntityAlreadyExists, "Role with name %s already exists.", in.RoleName)); err != nil {
		return nil, err
	}
	out := s.roleShape(r, in.Tags)
	out.AssumeRolePolicyDocument = in.AssumeRolePolicyDocument
	return &RoleOutput{Role: out}, nil
}

// insertRoleChecked inserts r unless its name is taken or the quota is reached.
func (s *Service) insertRoleChecked(ctx context.Context, r *roleRow, tags []Tag, exists error) error {
	return s.st.tx(ctx, func(tx *sql.Tx) error {
		err := (&newEntity{
			exists: exists,
			taken: func() (bool, error) {
				other, err := s.st.getRole(ctx, tx, r.AccountID, r.Name)
				return other != nil, err
			},
			used: func() (int, error) {
				return s.st.countRoles(ctx, tx, r.AccountID)
			},
			limit: maxRolesPerAccount, quota: "RolesPerAccount",
			insert: func() error { return s.st.insertRole(ctx, tx, r) },
		}).create()
		if err != nil {
			return err
		}
		return s.st.putTags(ctx, tx, r.ID, tags)
	})
}

// listedRole is a role as ListRoles shows it: AWS omits the boundary and
// tags from lists.
func (s *Service) listedRole(r *roleRow) Role {
	out := s.roleShape(r, nil)
	out.PermissionsBoundary = nil
	return out
}

type RoleNameInput struct {
	RoleName string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

// GetRole describes a role, with its tags.
func (s *Service) GetRole(ctx context.Context, c *authz.Caller, in *RoleNameInput) (*RoleOutput, error) {
	t, err := s.resolve(ctx, c, kindRole, in.RoleName, "iam:GetRole", nil)
	if err != nil {
		return nil, err
	}
	tags, err := s.st.tags(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	t.role.TrustPolicy = s.st.shownTrust(ctx, t.role)
	return &RoleOutput{Role: s.roleShape(t.role, tags)}, nil
}

type ListRolesInput struct {
	PathPrefix string `min:"1" max:"512" pattern:"\\u002F[\\u0021-\\u007F]*"`
	Marker     string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems   *int   `min:"1" max:"1000"`
}

type ListRolesOutput struct {
	Roles       []Role
	IsTruncated bool
	Marker      string
}

// ListRoles lists the account's roles under PathPrefix.
func (s *Service) ListRoles(ctx context.Context, c *authz.Caller, in *ListRolesInput) (*ListRolesOutput, error) {
	if err := s.authorize(ctx, c, "iam:ListRoles", "*", nil); err != nil {
		return nil, err
	}
	all, err := s.st.listRoles(ctx, s.st.db, c.AccountID, normPath(in.PathPrefix))
	if err != nil {
		return nil, err
	}
	roles, marker, trunc, err := paginateAs(all, func(r *roleRow) string { return lowerKey(r.Name) },
		func(r *roleRow) Role {
			r.TrustPolicy = s.st.shownTrust(ctx, r)
			return s.listedRole(r)
		}, scopeOf(c, "ListRoles", normPath(in.PathPrefix)), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListRolesOutput{Roles: roles, IsTruncated: trunc, Marker: marker}, nil
}

// DeleteRole deletes a role without policies; service-linked roles are
// deleted with DeleteServiceLinkedRole only.
func (s *Service) DeleteRole(ctx context.Context, c *authz.Caller, in *RoleNameInput) (*Empty, error) {
	t, err := s.resolveModifiable(ctx, c, kindRole, in.RoleName, "iam:DeleteRole", nil)
	if err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		err := s.refuseInUse(ctx, tx, t.id, []inUse{
			{depInlinePolicies, "Cannot delete entity, must delete policies first."},
			{depAttachments, "Cannot delete entity, must detach all policies first."},
			{depInstanceProfiles, "Cannot delete entity, must remove roles from instance profile first."},
		})
		if err != nil {
			return err
		}
		return s.st.deleteRole(ctx, tx, t.id)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type UpdateAssumeRolePolicyInput struct {
	RoleName       string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, c *authz.Caller, in *UpdateAssumeRolePolicyInput) (*Empty, error) {
	t, err := s.resolveModifiable(ctx, c, kindRole, in.RoleName, "iam:UpdateAssumeRolePolicy", nil)
	if err != nil {
		return nil, err
	}
	if err := s.checkTrustDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	trust, err := s.st.trustForStorage(ctx, in.PolicyDocument)
	if err != nil {
		return nil, err
	}
	if err := s.st.updateRoleTrust(ctx, s.st.db, t.id, trust); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type UpdateRoleInput struct {
	RoleName           string  `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Description        *string `max:"1000" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"`
	MaxSessionDuration *int    `min:"3600" max:"43200"`
}

// UpdateRole changes a role's description or maximum session duration
// (service-linked roles: the description only).
func (s *Service) UpdateRole(ctx context.Context, c *authz.Caller, in *UpdateRoleInput) (*Empty, error) {
	t, err := s.resolve(ctx, c, kindRole, in.RoleName, "iam:UpdateRole", nil)
	if err != nil {
		return nil, err
	}
	if in.MaxSessionDuration != nil {
		if err := protectedRole(t); err != nil {
			return nil, err
		}
	}
	desc, maxDur := t.role.Description, t.role.MaxSessionDuration
	if in.Description != nil {
		desc = *in.Description
	}
	if in.MaxSessionDuration != nil {
		maxDur = *in.MaxSessionDuration
	}
	if err := s.st.updateRole(ctx, s.st.db, t.id, desc, maxDur); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}
