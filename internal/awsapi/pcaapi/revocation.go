package pcaapi

import (
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/pca"
)

// revocationOperations are revocation, audit-report and ACM-permission operations.
func revocationOperations(svc *pca.Service) []awsapi.Operation {
	return []awsapi.Operation{
		awsapi.Op("RevokeCertificate", svc.RevokeCertificate),
		awsapi.Op("CreateCertificateAuthorityAuditReport", svc.CreateCertificateAuthorityAuditReport),
		awsapi.Op("DescribeCertificateAuthorityAuditReport", svc.DescribeCertificateAuthorityAuditReport),
		awsapi.Op("CreatePermission", svc.CreatePermission),
		awsapi.Op("DeletePermission", svc.DeletePermission),
		awsapi.Op("ListPermissions", svc.ListPermissions),
	}
}
