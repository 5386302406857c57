package iam

import (
	"context"
	"database/sql"
	"strings"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
)

// linkedService describes a service that owns a service-linked role.
type linkedService struct {
	RoleName    string
	PolicyName  string // AWS-managed policy under /aws-service-role/
	Description string
}

var linkedServices = map[string]linkedService{
	"acm.amazonaws.com": {"AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy", "SLR for ACM Service for accessing cross-account Private CA"},
	"ram.amazonaws.com": {"AWSServiceRoleForResourceAccessManager", "AWSResourceAccessManagerServiceRolePolicy", "Service-linked role for AWS Resource Access Manager"},
}

// slrPathPrefix is reserved for service-linked roles.
const slrPathPrefix = "/aws-service-role/"

func slrPath(service string) string { return slrPathPrefix + service + "/" }

func serviceTrustPolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

type CreateServiceLinkedRoleInput struct {
	AWSServiceName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Description    string `max:"1000" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"`
	CustomSuffix   string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

// CreateServiceLinkedRole creates the role a service acts through in the
// caller's account, with the service's trust and permissions policies.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, c *authz.Caller, in *CreateServiceLinkedRoleInput) (*RoleOutput, error) {
	svc, ok := linkedServices[in.AWSServiceName]
	path := slrPath(in.AWSServiceName)
	arn := s.arn.role(c.AccountID, path, svc.RoleName)
	if !ok {
		arn = s.arn.role(c.AccountID, path, "*")
	}
	if err := s.authorize(ctx, c, "iam:CreateServiceLinkedRole", arn, map[string][]string{"iam:AWSServiceName": {in.AWSServiceName}}); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(InvalidInput, "Unknown service name: %s", in.AWSServiceName)
	}
	if in.CustomSuffix != "" {
		return nil, errorf(InvalidInput, "Custom suffix is not allowed for %s", in.AWSServiceName)
	}
	desc := in.Description
	if desc == "" {
		desc = svc.Description
	}
	r := &roleRow{
		ID: newUniqueID(prefixRole), AccountID: c.AccountID, Name: svc.RoleName, Path: path, Description: desc,
		TrustPolicy: serviceTrustPolicy(in.AWSServiceName), MaxSessionDuration: defaultSessionSeconds,
		ServiceName: in.AWSServiceName, CreatedAt: s.clk.Now(),
	}
	taken := errorf(InvalidInput, "Service role name %s has been taken in this account, please try a different suffix.", svc.RoleName)
	policyARN := s.arn.awsPolicy("/aws-service-role/", svc.PolicyName)
	err := s.st.tx(ctx, func(tx *sql.Tx) error {
		if other, err := s.st.getRole(ctx, tx, c.AccountID, svc.RoleName); err != nil {
			return err
		} else if other != nil {
			return taken
		}
		if err := s.st.insertRole(ctx, tx, r); err != nil {
			return err
		}
		return s.st.attach(ctx, tx, c.AccountID, r.ID, "role", policyARN)
	})
	if err != nil {
		return nil, err
	}
	return &RoleOutput{Role: s.roleShape(r, nil)}, nil
}

type DeleteServiceLinkedRoleOutput struct {
	DeletionTaskId string
}

// DeleteServiceLinkedRole deletes a service-linked role; the deletion
// completes at once and its task reports SUCCEEDED.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, c *authz.Caller, in *RoleNameInput) (*DeleteServiceLinkedRoleOutput, error) {
	t, err := s.resolve(ctx, c, kindRole, in.RoleName, "iam:DeleteServiceLinkedRole", nil)
	if err != nil {
		return nil, err
	}
	if t.role.ServiceName == "" {
		return nil, errorf(InvalidInput, "Role %s is not a service-linked role.", t.name)
	}
	task := "task" + t.path + t.name + "/" + uuid.NewString()
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if err := s.st.deleteRole(ctx, tx, t.id); err != nil {
			return err
		}
		return s.st.insertSLRDeletion(ctx, tx, task, c.AccountID, "SUCCEEDED", s.clk.Now())
	})
	if err != nil {
		return nil, err
	}
	return &DeleteServiceLinkedRoleOutput{DeletionTaskId: task}, nil
}

type GetServiceLinkedRoleDeletionStatusInput struct {
	DeletionTaskId string `required:"true" min:"1" max:"1000"`
}

type GetServiceLinkedRoleDeletionStatusOutput struct {
	Status string
}

// GetServiceLinkedRoleDeletionStatus reports a deletion task's status.
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, c *authz.Caller, in *GetServiceLinkedRoleDeletionStatusInput) (*GetServiceLinkedRoleDeletionStatusOutput, error) {
	// task/aws-service-role/SERVICE/ROLE/UUID names the role it deleted.
	resource := "*"
	if rest, ok := strings.CutPrefix(in.DeletionTaskId, "task/"); ok {
		if i := strings.LastIndex(rest, "/"); i > 0 {
			resource = s.arn.entity(c.AccountID, "role", "/", rest[:i])
		}
	}
	if err := s.authorize(ctx, c, "iam:GetServiceLinkedRoleDeletionStatus", resource, nil); err != nil {
		return nil, err
	}
	status, err := s.st.slrDeletionStatus(ctx, s.st.db, in.DeletionTaskId, c.AccountID)
	if err != nil {
		return nil, err
	}
	if status == "" {
		return nil, errorf(NoSuchEntity, "Deletion task %s cannot be found.", in.DeletionTaskId)
	}
	return &GetServiceLinkedRoleDeletionStatusOutput{Status: status}, nil
}
