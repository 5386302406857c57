package pca

import (
	"context"
	"slices"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

type CreatePermissionInput struct {
	CertificateAuthorityArn string   `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Principal               string   `required:"true" min:"0" max:"128" pattern:"[^*]+"`
	SourceAccount           string   `min:"12" max:"12" pattern:"[0-9]+"`
	Actions                 []string `required:"true" min:"1" max:"3"`
}

type DeletePermissionInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Principal               string `required:"true" min:"0" max:"128" pattern:"[^*]+"`
	SourceAccount           string `min:"12" max:"12" pattern:"[0-9]+"`
}

type ListPermissionsInput struct {
	CertificateAuthorityArn string `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	MaxResults              *int32 `min:"1" max:"1000"`
	NextToken               string `min:"1" max:"43739"`
}

// Permission is one ACM permission as ListPermissions shows it.
type Permission struct {
	CertificateAuthorityArn string
	CreatedAt               time.Time
	Principal               string
	SourceAccount           string
	Actions                 []string
	Policy                  string
}

type ListPermissionsOutput struct {
	Permissions []Permission
	NextToken   string `json:",omitempty"`
}

// CreatePermission grants acm.amazonaws.com the listed actions on the CA
// for certificates requested from the CA's own account (SourceAccount,
// when given, must name it: InvalidArgsException otherwise), so that ACM
// may issue and renew same-account private certificates (reference §3.4). The CA must be ACTIVE. A second
// permission for the same principal and account answers
// PermissionAlreadyExistsException.
func (s *Service) CreatePermission(ctx context.Context, caller *authz.Caller, in *CreatePermissionInput) (*Empty, error) {
	ca, err := s.findCA(ctx, caller, "CreatePermission", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "CreatePermission", ca, nil); err != nil {
		return nil, err
	}
	if in.Principal != acmPrincipal {
		return nil, errf(ErrInvalidArgs, "The principal %s is not valid; only %s can be granted permissions.", in.Principal, acmPrincipal)
	}
	if len(in.Actions) == 0 || len(in.Actions) > len(permissionActions) {
		return nil, errf(ErrInvalidArgs, "Actions must list 1 to 3 of %v.", permissionActions)
	}
	var actions []string
	for _, a := range permissionActions { // canonical order, no duplicates
		if slices.Contains(in.Actions, a) {
			actions = append(actions, a)
		}
	}
	for _, a := range in.Actions {
		if !slices.Contains(permissionActions, a) {
			return nil, errf(ErrInvalidArgs, "The action %s is not valid; use IssueCertificate, GetCertificate or ListPermissions.", a)
		}
	}
	// Permissions serve ACM in the CA's own account only (§3.4); other
	// accounts go through the resource policy and ACM's service-linked
	// role, so a grant naming them would be a cross-account hole.
	if in.SourceAccount != "" && in.SourceAccount != ca.Owner {
		return nil, errf(ErrInvalidArgs, "The source account %s is not valid; permissions can only be granted for the account that owns the certificate authority.", in.SourceAccount)
	}
	if ca.effectiveStatus(s.clk.Now()) != statusActive {
		return nil, wrongState(ca.ARN, "change permissions")
	}
	p := &permissionRow{Principal: in.Principal, SourceAccount: ca.Owner,
		Actions: actions, CreatedAt: s.clk.Now()}
	exists, err := s.insertPermission(ctx, ca.ID, p)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, errf(ErrPermissionExists, "The designated permission has already been given to the user.")
	}
	s.invalidatePolicy(ca.ID)
	return &Empty{}, nil
}

// DeletePermission revokes the permissions acm.amazonaws.com holds on the
// CA for SourceAccount (default: the caller's account). The CA must be
// ACTIVE; ResourceNotFoundException when there is no such permission.
func (s *Service) DeletePermission(ctx context.Context, caller *authz.Caller, in *DeletePermissionInput) (*Empty, error) {
	ca, err := s.findCA(ctx, caller, "DeletePermission", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "DeletePermission", ca, nil); err != nil {
		return nil, err
	}
	if in.Principal != acmPrincipal {
		return nil, errf(ErrInvalidArgs, "The principal %s is not valid; only %s holds permissions.", in.Principal, acmPrincipal)
	}
	if ca.effectiveStatus(s.clk.Now()) != statusActive {
		return nil, wrongState(ca.ARN, "change permissions")
	}
	found, err := s.deletePermission(ctx, ca.ID, in.Principal, defaultStr(in.SourceAccount, caller.AccountID))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errf(ErrNotFound, "Could not find a permission for %s on %s.", in.Principal, ca.ARN)
	}
	s.invalidatePolicy(ca.ID)
	return &Empty{}, nil
}

// ListPermissions lists the CA's ACM permissions, each with the policy it
// stands for, at most 100 per page.
func (s *Service) ListPermissions(ctx context.Context, caller *authz.Caller, in *ListPermissionsInput) (*ListPermissionsOutput, error) {
	ca, err := s.findCA(ctx, caller, "ListPermissions", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "ListPermissions", ca, nil); err != nil {
		return nil, err
	}
	if ca.Status == statusDeleted {
		return nil, wrongState(ca.ARN, "list permissions")
	}
	scope := "list-permissions\x00" + ca.ID
	offset, err := s.parseToken(scope, in.NextToken)
	if err != nil {
		return nil, err
	}
	rows, err := s.listPermissionRows(ctx, ca.ID)
	if err != nil {
		return nil, err
	}
	out := &ListPermissionsOutput{Permissions: []Permission{}}
	limit := pageSize(in.MaxResults, 100)
	if offset > len(rows) {
		offset = len(rows)
	}
	rows = rows[offset:]
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextToken = s.makeToken(scope, offset+limit)
	}
	for _, p := range rows {
		out.Permissions = append(out.Permissions, Permission{CertificateAuthorityArn: ca.ARN, CreatedAt: p.CreatedAt,
			Principal: p.Principal, SourceAccount: p.SourceAccount, Actions: p.Actions, Policy: permissionPolicy(ca.ARN, p)})
	}
	return out, nil
}
