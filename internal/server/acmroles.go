package server

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/iam"
)

// acmRoles lets acm find and create its service-linked role through iam.
type acmRoles struct {
	store     *iam.Store
	svc       *iam.Service
	partition string
}

const (
	acmServiceName = "acm.amazonaws.com"
	acmRoleName    = "AWSServiceRoleForCertificateManager"
)

func (r acmRoles) ServiceLinkedRole(ctx context.Context, account, _ string) (*authz.Principal, error) {
	arn := "arn:" + r.partition + ":iam::" + account + ":role/aws-service-role/" + acmServiceName + "/" + acmRoleName
	return r.store.RoleSessionPrincipal(ctx, arn, "ACMRenewal")
}

func (r acmRoles) CreateServiceLinkedRole(ctx context.Context, caller *authz.Caller) error {
	_, err := r.svc.CreateServiceLinkedRole(ctx, caller, &iam.CreateServiceLinkedRoleInput{AWSServiceName: acmServiceName})
	return err
}
