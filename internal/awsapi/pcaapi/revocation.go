package pcaapi

import (
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/pca"
)

// revocationOperations are revocation, audit-report and ACM-permission operations.
func revocationOperations(svc *pca.Service) []awsapi.Operation {
	return nil
}
