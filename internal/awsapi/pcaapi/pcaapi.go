// Package pcaapi binds the acm-pca domain service to the awsJson1_1 wire:
// X-Amz-Target "ACMPrivateCA.<Op>", SigV4 service "acm-pca", and the
// mapping of pca's typed errors to AWS error codes (all 400).
package pcaapi

import (
	"errors"
	"net/http"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/pca"
)

// Service returns the acm-pca binding of svc.
func Service(svc *pca.Service) *awsapi.Service {
	ops := []awsapi.Operation{
		awsapi.Op("CreateCertificateAuthority", svc.CreateCertificateAuthority),
		awsapi.Op("DescribeCertificateAuthority", svc.DescribeCertificateAuthority),
		awsapi.Op("ListCertificateAuthorities", svc.ListCertificateAuthorities),
		awsapi.Op("UpdateCertificateAuthority", svc.UpdateCertificateAuthority),
		awsapi.Op("DeleteCertificateAuthority", svc.DeleteCertificateAuthority),
		awsapi.Op("RestoreCertificateAuthority", svc.RestoreCertificateAuthority),
		awsapi.Op("GetCertificateAuthorityCsr", svc.GetCertificateAuthorityCsr),
		awsapi.Op("ImportCertificateAuthorityCertificate", svc.ImportCertificateAuthorityCertificate),
		awsapi.Op("GetCertificateAuthorityCertificate", svc.GetCertificateAuthorityCertificate),
		awsapi.Op("IssueCertificate", svc.IssueCertificate),
		awsapi.Op("GetCertificate", svc.GetCertificate),
		awsapi.Op("TagCertificateAuthority", svc.TagCertificateAuthority),
		awsapi.Op("UntagCertificateAuthority", svc.UntagCertificateAuthority),
		awsapi.Op("ListTags", svc.ListTags),
	}
	ops = append(ops, policyOperations(svc)...)
	ops = append(ops, revocationOperations(svc)...)
	m := make(map[string]awsapi.Operation, len(ops))
	for _, op := range ops {
		m[op.Name] = op
	}
	return &awsapi.Service{
		SigningName:  "acm-pca",
		Protocol:     awsapi.JSON11,
		TargetPrefix: "ACMPrivateCA",
		RPCv2CBOR:    "ACMPrivateCA",
		Operations:   m,
		MapError:     MapError,
	}
}

// codes maps pca's error kinds to acm-pca's modeled exceptions.
var codes = []struct {
	kind error
	code string
}{
	{pca.ErrNotFound, "ResourceNotFoundException"},
	{pca.ErrInvalidArn, "InvalidArnException"},
	{pca.ErrInvalidState, "InvalidStateException"},
	{pca.ErrInvalidArgs, "InvalidArgsException"},
	{pca.ErrInvalidRequest, "InvalidRequestException"},
	{pca.ErrMalformedCSR, "MalformedCSRException"},
	{pca.ErrMalformedCertificate, "MalformedCertificateException"},
	{pca.ErrCertificateMismatch, "CertificateMismatchException"},
	{pca.ErrRequestInProgress, "RequestInProgressException"},
	{pca.ErrRequestFailed, "RequestFailedException"},
	{pca.ErrLimitExceeded, "LimitExceededException"},
	{pca.ErrInvalidTag, "InvalidTagException"},
	{pca.ErrTooManyTags, "TooManyTagsException"},
	{pca.ErrInvalidNextToken, "InvalidNextTokenException"},
	{pca.ErrConcurrentModify, "ConcurrentModificationException"},
	{pca.ErrInvalidPolicy, "InvalidPolicyException"},
	{pca.ErrLockoutPrevented, "LockoutPreventedException"},
	{pca.ErrAlreadyProcessed, "RequestAlreadyProcessedException"},
	{pca.ErrPermissionExists, "PermissionAlreadyExistsException"},
}

// MapError turns a pca domain error into its AWS error; nil for anything
// else (authz denials and internal failures are handled by awsapi).
func MapError(err error) *awsapi.Error {
	var de *pca.Error
	if !errors.As(err, &de) {
		return nil
	}
	for _, c := range codes {
		if errors.Is(de, c.kind) {
			return &awsapi.Error{Code: c.code, Message: de.Msg, Status: http.StatusBadRequest, Sender: true}
		}
	}
	return nil
}
