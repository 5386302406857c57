package org

import (
	"context"
	"database/sql"
	"slices"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

type CreateOrganizationInput struct {
	FeatureSet string `enum:"ALL,CONSOLIDATED_BILLING"`
}

type OrganizationOutput struct {
	Organization *Organization
}

// CreateOrganization makes the caller's account the management account of
// a new organization with a root named Root.
func (s *Service) CreateOrganization(ctx context.Context, c *authz.Caller, in *CreateOrganizationInput) (*OrganizationOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:CreateOrganization", anyCaller, nil, nil)
	if err != nil {
		return nil, err
	}
	if ss.org != nil {
		return nil, errorf(AlreadyInOrganization, "The AWS account is already a member of an organization.")
	}
	fs := in.FeatureSet
	if fs == "" {
		fs = "ALL"
	}
	now := s.clk.Now()
	o := &orgRow{ID: newOrgID(), Management: c.AccountID, FeatureSet: fs, RootID: newRootID(), CreatedAt: now}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		if m, err := s.st.getMember(ctx, tx, c.AccountID); err != nil {
			return err
		} else if m != nil {
			return errorf(AlreadyInOrganization, "The AWS account is already a member of an organization.")
		}
		if err := s.st.insertOrg(ctx, tx, o); err != nil {
			return err
		}
		if err := s.st.insertUnit(ctx, tx, &unitRow{ID: o.RootID, OrgID: o.ID, Name: "Root", CreatedAt: now}); err != nil {
			return err
		}
		return s.st.insertMember(ctx, tx, &memberRow{AccountID: c.AccountID, OrgID: o.ID, ParentID: o.RootID, JoinedMethod: "CREATED", JoinedAt: now})
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errorf(AlreadyInOrganization, "The AWS account is already a member of an organization.")
		}
		return nil, err
	}
	s.invalidate(c.AccountID)
	shape, err := s.orgShape(ctx, o)
	if err != nil {
		return nil, err
	}
	return &OrganizationOutput{Organization: shape}, nil
}

// DescribeOrganization describes the caller's organization; any member may.
func (s *Service) DescribeOrganization(ctx context.Context, c *authz.Caller, _ *Empty) (*OrganizationOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:DescribeOrganization", anyMember, nil, nil)
	if err != nil {
		return nil, err
	}
	shape, err := s.orgShape(ctx, ss.org)
	if err != nil {
		return nil, err
	}
	return &OrganizationOutput{Organization: shape}, nil
}

// DeleteOrganization deletes the organization once the management account
// is its only member; OUs, policies and handshakes go with it.
func (s *Service) DeleteOrganization(ctx context.Context, c *authz.Caller, _ *Empty) (*Empty, error) {
	ss, err := s.begin(ctx, c, "organizations:DeleteOrganization", management, nil, nil)
	if err != nil {
		return nil, err
	}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.st.countMembersBut(ctx, tx, ss.org.ID, ss.org.Management)
		if err != nil {
			return err
		}
		if n > 0 {
			return errorf(OrganizationNotEmpty, "To delete an organization you must first remove all member accounts (except the master).")
		}
		return s.st.deleteOrg(ctx, tx, ss.org.ID)
	})
	if err != nil {
		return nil, err
	}
	s.invalidateAll()
	return &Empty{}, nil
}

type ListInput struct {
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListRootsOutput struct {
	Roots     []Root
	NextToken string `json:",omitempty"`
}

// ListRoots lists the organization's root.
func (s *Service) ListRoots(ctx context.Context, c *authz.Caller, in *ListInput) (*ListRootsOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListRoots", management, nil, nil)
	if err != nil {
		return nil, err
	}
	types, err := s.rootPolicyTypes(ctx, ss.org)
	if err != nil {
		return nil, err
	}
	roots := []Root{{Id: ss.org.RootID, Arn: s.arn.root(ss.org, ss.org.RootID), Name: "Root", PolicyTypes: types}}
	page, next, err := paginate(roots, func(r Root) string { return r.Id }, ss.scope("ListRoots"), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListRootsOutput{Roots: page, NextToken: next}, nil
}

// trustedServices are the service principals EnableAWSServiceAccess knows.
var trustedServices = []string{
	"access-analyzer.amazonaws.com", "account.amazonaws.com", "acm.amazonaws.com", "auditmanager.amazonaws.com",
	"backup.amazonaws.com", "cloudtrail.amazonaws.com", "compute-optimizer.amazonaws.com", "config.amazonaws.com",
	"controltower.amazonaws.com", "detective.amazonaws.com", "ds.amazonaws.com", "fms.amazonaws.com",
	"guardduty.amazonaws.com", "health.amazonaws.com", "iam.amazonaws.com", "inspector2.amazonaws.com",
	"ipam.amazonaws.com", "license-manager.amazonaws.com", "macie.amazonaws.com",
	"member.org.stacksets.cloudformation.amazonaws.com", "ram.amazonaws.com", "reporting.trustedadvisor.amazonaws.com",
	"securityhub.amazonaws.com", "servicecatalog.amazonaws.com", "ssm.amazonaws.com", "sso.amazonaws.com",
	"storage-lens.s3.amazonaws.com", "tagpolicies.tag.amazonaws.com",
}

type ServicePrincipalInput struct {
	ServicePrincipal string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]*"`
}

func (s *Service) serviceAccess(ctx context.Context, c *authz.Caller, action, principal string) (*session, error) {
	ss, err := s.begin(ctx, c, action, management, nil, map[string][]string{"organizations:ServicePrincipal": {principal}})
	if err != nil {
		return nil, err
	}
	if !slices.Contains(trustedServices, principal) {
		return nil, reasonf(InvalidInput, "UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	if ss.org.FeatureSet != "ALL" {
		return nil, reasonf(ConstraintViolation, "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "You can't perform this operation until all features are enabled in the organization.")
	}
	return ss, nil
}

// EnableAWSServiceAccess lets a service act across the organization
// (RAM reads it for organization sharing). Enabling twice is not an error.
func (s *Service) EnableAWSServiceAccess(ctx context.Context, c *authz.Caller, in *ServicePrincipalInput) (*Empty, error) {
	ss, err := s.serviceAccess(ctx, c, "organizations:EnableAWSServiceAccess", in.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	if err := s.st.enableService(ctx, s.st.db, ss.org.ID, in.ServicePrincipal, s.clk.Now()); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// DisableAWSServiceAccess withdraws a service's trusted access.
func (s *Service) DisableAWSServiceAccess(ctx context.Context, c *authz.Caller, in *ServicePrincipalInput) (*Empty, error) {
	ss, err := s.serviceAccess(ctx, c, "organizations:DisableAWSServiceAccess", in.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	// Without trusted access the service's delegated administrators go too.
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.st.deleteDelegationsFor(ctx, tx, ss.org.ID, in.ServicePrincipal); err != nil {
			return err
		}
		return s.st.disableService(ctx, tx, ss.org.ID, in.ServicePrincipal)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type ListAWSServiceAccessOutput struct {
	EnabledServicePrincipals []EnabledServicePrincipal
	NextToken                string `json:",omitempty"`
}

// ListAWSServiceAccessForOrganization lists the services with trusted access.
func (s *Service) ListAWSServiceAccessForOrganization(ctx context.Context, c *authz.Caller, in *ListInput) (*ListAWSServiceAccessOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListAWSServiceAccessForOrganization", management, nil, nil)
	if err != nil {
		return nil, err
	}
	all, err := s.st.services(ctx, s.st.db, ss.org.ID)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(all, func(a serviceAccess) string { return a.Principal }, ss.scope("ListAWSServiceAccess"), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListAWSServiceAccessOutput{EnabledServicePrincipals: []EnabledServicePrincipal{}, NextToken: next}
	for _, a := range page {
		out.EnabledServicePrincipals = append(out.EnabledServicePrincipals, EnabledServicePrincipal{ServicePrincipal: a.Principal, DateEnabled: a.EnabledAt})
	}
	return out, nil
}
