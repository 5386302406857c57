// Package acmapi binds the acm domain service to the awsJson1_1 wire:
// X-Amz-Target "CertificateManager.<Op>", SigV4 service "acm", and the
// mapping of acm's typed errors to ACM's error codes (all 400).
package acmapi

import (
	"errors"
	"net/http"

	"github.com/openpca/openpca/internal/acm"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/awsapi/pcaapi"
)

// Service returns the acm binding of svc.
func Service(svc *acm.Service) *awsapi.Service {
	ops := []awsapi.Operation{
		awsapi.Op("RequestCertificate", svc.RequestCertificate),
		awsapi.Op("DescribeCertificate", svc.DescribeCertificate),
		awsapi.Op("GetCertificate", svc.GetCertificate),
		awsapi.Op("ExportCertificate", svc.ExportCertificate),
		awsapi.Op("ListCertificates", svc.ListCertificates),
		awsapi.Op("DeleteCertificate", svc.DeleteCertificate),
		awsapi.Op("RenewCertificate", svc.RenewCertificate),
		awsapi.Op("RevokeCertificate", svc.RevokeCertificate),
		awsapi.Op("AddTagsToCertificate", svc.AddTagsToCertificate),
		awsapi.Op("RemoveTagsFromCertificate", svc.RemoveTagsFromCertificate),
		awsapi.Op("ListTagsForCertificate", svc.ListTagsForCertificate),
		awsapi.Op("UpdateCertificateOptions", svc.UpdateCertificateOptions),
		awsapi.Op("GetAccountConfiguration", svc.GetAccountConfiguration),
		awsapi.Op("PutAccountConfiguration", svc.PutAccountConfiguration),
		awsapi.Op("ImportCertificate", svc.ImportCertificate),
		// OpenPCA extension for the CA's owner (docs/renewal-health.md).
		awsapi.Op("OpenPCAGetRenewalHealth", svc.GetRenewalHealth),
	}
	m := make(map[string]awsapi.Operation, len(ops))
	for _, op := range ops {
		m[op.Name] = op
	}
	return &awsapi.Service{
		SigningName:  "acm",
		Protocol:     awsapi.JSON11,
		TargetPrefix: "CertificateManager",
		Operations:   m,
		MapError:     MapError,
	}
}

var codes = []struct {
	kind error
	code string
}{
	{acm.ErrNotFound, "ResourceNotFoundException"},
	{acm.ErrInvalidArn, "InvalidArnException"},
	{acm.ErrRequestInProgress, "RequestInProgressException"},
	{acm.ErrValidation, "ValidationException"},
	{acm.ErrInvalidParameter, "InvalidParameterException"},
	{acm.ErrInvalidTag, "InvalidTagException"},
	{acm.ErrTooManyTags, "TooManyTagsException"},
	{acm.ErrLimitExceeded, "LimitExceededException"},
	{acm.ErrInvalidArgs, "InvalidArgsException"},
	{acm.ErrConflict, "ConflictException"},
}

// MapError turns an acm domain error into its AWS error; errors of the
// Private CA (RevokeCertificate passes the CA's answer on) keep their
// acm-pca codes; nil for anything else.
func MapError(err error) *awsapi.Error {
	var de *acm.Error
	if !errors.As(err, &de) {
		return pcaapi.MapError(err)
	}
	for _, c := range codes {
		if errors.Is(de, c.kind) {
			return &awsapi.Error{Code: c.code, Message: de.Msg, Status: http.StatusBadRequest, Sender: true}
		}
	}
	return nil
}
