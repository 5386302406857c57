package iamapi

import (
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/iam"
)

// securityOps are the IAM operations of permissions boundaries and MFA
// devices.
func securityOps(svc *iam.Service) []awsapi.Operation {
	return []awsapi.Operation{
		awsapi.Op("PutUserPermissionsBoundary", svc.PutUserPermissionsBoundary),
		awsapi.Op("DeleteUserPermissionsBoundary", svc.DeleteUserPermissionsBoundary),
		awsapi.Op("PutRolePermissionsBoundary", svc.PutRolePermissionsBoundary),
		awsapi.Op("DeleteRolePermissionsBoundary", svc.DeleteRolePermissionsBoundary),
		awsapi.Op("CreateVirtualMFADevice", svc.CreateVirtualMFADevice),
		awsapi.Op("EnableMFADevice", svc.EnableMFADevice),
		awsapi.Op("ResyncMFADevice", svc.ResyncMFADevice),
		awsapi.Op("DeactivateMFADevice", svc.DeactivateMFADevice),
		awsapi.Op("DeleteVirtualMFADevice", svc.DeleteVirtualMFADevice),
		awsapi.Op("ListMFADevices", svc.ListMFADevices),
		awsapi.Op("ListVirtualMFADevices", svc.ListVirtualMFADevices),
		awsapi.Op("TagMFADevice", svc.TagMFADevice),
		awsapi.Op("UntagMFADevice", svc.UntagMFADevice),
		awsapi.Op("ListMFADeviceTags", svc.ListMFADeviceTags),
	}
}
