package pcaapi

import (
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/pca"
)

// policyOperations are the CA resource-policy operations.
func policyOperations(svc *pca.Service) []awsapi.Operation {
	return nil
}
