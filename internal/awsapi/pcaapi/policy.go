package pcaapi

import (
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/pca"
)

// policyOperations are the CA resource-policy operations, plus OpenPCA's
// who-can analysis (not an AWS operation; docs/who-can.md), authorized as
// acm-pca:GetPolicy on the CA.
func policyOperations(svc *pca.Service) []awsapi.Operation {
	return []awsapi.Operation{
		awsapi.Op("PutPolicy", svc.PutPolicy),
		awsapi.Op("GetPolicy", svc.GetPolicy),
		awsapi.Op("DeletePolicy", svc.DeletePolicy),
		awsapi.Op("OpenPCAListPrincipalsWithAccess", svc.ListPrincipalsWithAccess),
	}
}
