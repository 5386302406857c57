package ram

import (
	"context"
	"errors"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/org"
)

// EnableSharingWithAwsOrganization turns on organization sharing: from the
// management account, it enables trusted access for ram.amazonaws.com and
// creates RAM's service-linked role there, each with the caller's own
// permissions (organizations:EnableAWSServiceAccess,
// iam:CreateServiceLinkedRole).
func (s *Service) EnableSharingWithAwsOrganization(ctx context.Context, c *authz.Caller, _ *Empty) (*ReturnValueOutput, error) {
	if err := s.authorize(ctx, c, "EnableSharingWithAwsOrganization", "*", "", nil); err != nil {
		return nil, err
	}
	m, err := s.d.Orgs.Membership(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	if m == nil || m.ManagementAccount != c.AccountID {
		return nil, errf(OperationNotPermitted, "Only the management account of an AWS Organization can enable sharing with the organization.")
	}
	if _, err := s.d.OrgAdmin.EnableAWSServiceAccess(ctx, c, &org.ServicePrincipalInput{ServicePrincipal: "ram.amazonaws.com"}); err != nil {
		var oe *org.Error
		if errors.As(err, &oe) && oe.Kind != org.AccessDenied {
			return nil, errf(OperationNotPermitted, "%s", oe.Message)
		}
		return nil, err
	}
	if _, err := s.d.SLRs.CreateServiceLinkedRole(ctx, c, &iam.CreateServiceLinkedRoleInput{AWSServiceName: "ram.amazonaws.com"}); err != nil {
		var ie *iam.Error
		if !errors.As(err, &ie) || ie.Kind != iam.EntityAlreadyExists {
			return nil, err
		}
	}
	return &ReturnValueOutput{ReturnValue: true}, nil
}
