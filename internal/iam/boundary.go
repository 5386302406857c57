package iam

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

// AttachedPermissionsBoundary is how IAM shows a user's or role's boundary.
type AttachedPermissionsBoundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

func boundaryShape(arn string) *AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &AttachedPermissionsBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

// boundaryContext is the request context of a call that sets a boundary.
func boundaryContext(extra map[string][]string, arn string) map[string][]string {
	if arn == "" {
		return extra
	}
	if extra == nil {
		extra = map[string][]string{}
	}
	extra["iam:PermissionsBoundary"] = []string{arn}
	return extra
}

// checkBoundary verifies that arn names a managed policy the account may
// use as a boundary.
func (s *Service) checkBoundary(ctx context.Context, acct, arn string) error {
	if _, ok := parseIAMARN(arn); !ok {
		return errorf(InvalidInput, "ARN %s is not valid.", arn)
	}
	ref, err := s.findPolicy(ctx, acct, arn)
	if err != nil {
		if KindOf(err) == NoSuchEntity {
			return noSuchPolicy(arn)
		}
		return err
	}
	if ref.aws != nil && ref.aws.serviceRolePolicy() {
		return errorf(PolicyNotAttachable, "Cannot attach a Service Role Policy to a Customer Role.")
	}
	return nil
}

func (s *Service) putBoundary(ctx context.Context, c *authz.Caller, k *entityKind, name, arn string) error {
	t, err := s.resolveModifiable(ctx, c, k, name, k.act("Put", "PermissionsBoundary"), boundaryContext(nil, arn))
	if err != nil {
		return err
	}
	if err := s.checkBoundary(ctx, c.AccountID, arn); err != nil {
		return err
	}
	return s.st.setBoundary(ctx, s.st.db, k.name, t.id, arn)
}

func (s *Service) deleteBoundary(ctx context.Context, c *authz.Caller, k *entityKind, name string) error {
	t, err := s.resolveModifiable(ctx, c, k, name, k.act("Delete", "PermissionsBoundary"), nil)
	if err != nil {
		return err
	}
	return s.st.setBoundary(ctx, s.st.db, k.name, t.id, "")
}

type PutUserPermissionsBoundaryInput struct {
	UserName            string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PermissionsBoundary string `required:"true" min:"20" max:"2048"`
}

// PutUserPermissionsBoundary sets the managed policy that bounds a user.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, c *authz.Caller, in *PutUserPermissionsBoundaryInput) (*Empty, error) {
	return &Empty{}, s.putBoundary(ctx, c, kindUser, in.UserName, in.PermissionsBoundary)
}

type DeleteUserPermissionsBoundaryInput struct {
	UserName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

// DeleteUserPermissionsBoundary removes a user's boundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, c *authz.Caller, in *DeleteUserPermissionsBoundaryInput) (*Empty, error) {
	return &Empty{}, s.deleteBoundary(ctx, c, kindUser, in.UserName)
}

type PutRolePermissionsBoundaryInput struct {
	RoleName            string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PermissionsBoundary string `required:"true" min:"20" max:"2048"`
}

// PutRolePermissionsBoundary sets the managed policy that bounds a role.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, c *authz.Caller, in *PutRolePermissionsBoundaryInput) (*Empty, error) {
	return &Empty{}, s.putBoundary(ctx, c, kindRole, in.RoleName, in.PermissionsBoundary)
}

// DeleteRolePermissionsBoundary removes a role's boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, c *authz.Caller, in *RoleNameInput) (*Empty, error) {
	return &Empty{}, s.deleteBoundary(ctx, c, kindRole, in.RoleName)
}

// boundaryPolicy is the boundary of a user or role as authz evaluates it;
// nil when none. A boundary whose policy is gone allows nothing.
func (s *Store) boundaryPolicy(ctx context.Context, q querier, arn string) (*authz.Policy, error) {
	if arn == "" {
		return nil, nil
	}
	doc, ok, err := s.managedDocument(ctx, q, arn)
	if err != nil {
		return nil, err
	}
	if !ok {
		doc = grantsNothing
	}
	return &authz.Policy{Kind: authz.PermissionsBoundary, Name: arn, Document: doc}, nil
}
