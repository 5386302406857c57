// Package orgapi binds internal/org to the awsJson1_1 wire protocol: the
// operations of the organizations (2016-11-28) API and the mapping of org's
// domain errors to their wire codes (with the modeled Reason member).
package orgapi

import (
	"errors"
	"net/http"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/org"
)

// Service returns the organizations service binding.
func Service(svc *org.Service) *awsapi.Service {
	ops := []awsapi.Operation{
		awsapi.Op("CreateOrganization", svc.CreateOrganization),
		awsapi.Op("DescribeOrganization", svc.DescribeOrganization),
		awsapi.Op("DeleteOrganization", svc.DeleteOrganization),
		awsapi.Op("ListRoots", svc.ListRoots),
		awsapi.Op("CreateOrganizationalUnit", svc.CreateOrganizationalUnit),
		awsapi.Op("DescribeOrganizationalUnit", svc.DescribeOrganizationalUnit),
		awsapi.Op("UpdateOrganizationalUnit", svc.UpdateOrganizationalUnit),
		awsapi.Op("DeleteOrganizationalUnit", svc.DeleteOrganizationalUnit),
		awsapi.Op("ListOrganizationalUnitsForParent", svc.ListOrganizationalUnitsForParent),
		awsapi.Op("ListChildren", svc.ListChildren),
		awsapi.Op("ListParents", svc.ListParents),
		awsapi.Op("CreateAccount", svc.CreateAccount),
		awsapi.Op("DescribeCreateAccountStatus", svc.DescribeCreateAccountStatus),
		awsapi.Op("ListCreateAccountStatus", svc.ListCreateAccountStatus),
		awsapi.Op("ListAccounts", svc.ListAccounts),
		awsapi.Op("ListAccountsForParent", svc.ListAccountsForParent),
		awsapi.Op("DescribeAccount", svc.DescribeAccount),
		awsapi.Op("MoveAccount", svc.MoveAccount),
		awsapi.Op("RemoveAccountFromOrganization", svc.RemoveAccountFromOrganization),
		awsapi.Op("LeaveOrganization", svc.LeaveOrganization),
		awsapi.Op("InviteAccountToOrganization", svc.InviteAccountToOrganization),
		awsapi.Op("AcceptHandshake", svc.AcceptHandshake),
		awsapi.Op("DeclineHandshake", svc.DeclineHandshake),
		awsapi.Op("CancelHandshake", svc.CancelHandshake),
		awsapi.Op("DescribeHandshake", svc.DescribeHandshake),
		awsapi.Op("ListHandshakesForAccount", svc.ListHandshakesForAccount),
		awsapi.Op("ListHandshakesForOrganization", svc.ListHandshakesForOrganization),
		awsapi.Op("EnableAWSServiceAccess", svc.EnableAWSServiceAccess),
		awsapi.Op("DisableAWSServiceAccess", svc.DisableAWSServiceAccess),
		awsapi.Op("ListAWSServiceAccessForOrganization", svc.ListAWSServiceAccessForOrganization),
		awsapi.Op("TagResource", svc.TagResource),
		awsapi.Op("UntagResource", svc.UntagResource),
		awsapi.Op("ListTagsForResource", svc.ListTagsForResource),
		awsapi.Op("EnablePolicyType", svc.EnablePolicyType),
		awsapi.Op("DisablePolicyType", svc.DisablePolicyType),
		awsapi.Op("CreatePolicy", svc.CreatePolicy),
		awsapi.Op("UpdatePolicy", svc.UpdatePolicy),
		awsapi.Op("DeletePolicy", svc.DeletePolicy),
		awsapi.Op("DescribePolicy", svc.DescribePolicy),
		awsapi.Op("ListPolicies", svc.ListPolicies),
		awsapi.Op("AttachPolicy", svc.AttachPolicy),
		awsapi.Op("DetachPolicy", svc.DetachPolicy),
		awsapi.Op("ListPoliciesForTarget", svc.ListPoliciesForTarget),
		awsapi.Op("ListTargetsForPolicy", svc.ListTargetsForPolicy),
		awsapi.Op("CloseAccount", svc.CloseAccount),
		awsapi.Op("RegisterDelegatedAdministrator", svc.RegisterDelegatedAdministrator),
		awsapi.Op("DeregisterDelegatedAdministrator", svc.DeregisterDelegatedAdministrator),
		awsapi.Op("ListDelegatedAdministrators", svc.ListDelegatedAdministrators),
		awsapi.Op("ListDelegatedServicesForAccount", svc.ListDelegatedServicesForAccount),
	}
	m := make(map[string]awsapi.Operation, len(ops))
	for _, op := range ops {
		m[op.Name] = op
	}
	return &awsapi.Service{
		SigningName:   "organizations",
		Protocol:      awsapi.JSON11,
		TargetPrefix:  "AWSOrganizationsV20161128",
		Operations:    m,
		MapError:      MapError,
		MapValidation: MapValidation,
	}
}

// wireCodes gives each domain error kind its exception name.
var wireCodes = map[org.ErrorKind]string{
	org.AccessDenied:                  "AccessDeniedException",
	org.NotInUse:                      "AWSOrganizationsNotInUseException",
	org.AlreadyInOrganization:         "AlreadyInOrganizationException",
	org.ConstraintViolation:           "ConstraintViolationException",
	org.InvalidInput:                  "InvalidInputException",
	org.HandshakeConstraintViolation:  "HandshakeConstraintViolationException",
	org.OrganizationNotEmpty:          "OrganizationNotEmptyException",
	org.DuplicateOrganizationalUnit:   "DuplicateOrganizationalUnitException",
	org.ParentNotFound:                "ParentNotFoundException",
	org.OrganizationalUnitNotEmpty:    "OrganizationalUnitNotEmptyException",
	org.OrganizationalUnitNotFound:    "OrganizationalUnitNotFoundException",
	org.RootNotFound:                  "RootNotFoundException",
	org.AccountNotFound:               "AccountNotFoundException",
	org.ChildNotFound:                 "ChildNotFoundException",
	org.SourceParentNotFound:          "SourceParentNotFoundException",
	org.DestinationParentNotFound:     "DestinationParentNotFoundException",
	org.DuplicateAccount:              "DuplicateAccountException",
	org.DuplicateHandshake:            "DuplicateHandshakeException",
	org.HandshakeNotFound:             "HandshakeNotFoundException",
	org.InvalidHandshakeTransition:    "InvalidHandshakeTransitionException",
	org.HandshakeAlreadyInState:       "HandshakeAlreadyInStateException",
	org.MasterCannotLeaveOrganization: "MasterCannotLeaveOrganizationException",
	org.CreateAccountStatusNotFound:   "CreateAccountStatusNotFoundException",
	org.TargetNotFound:                "TargetNotFoundException",
	org.PolicyNotFound:                "PolicyNotFoundException",
	org.DuplicatePolicy:               "DuplicatePolicyException",
	org.PolicyInUse:                   "PolicyInUseException",
	org.PolicyTypeAlreadyEnabled:      "PolicyTypeAlreadyEnabledException",
	org.PolicyTypeNotEnabled:          "PolicyTypeNotEnabledException",
	org.PolicyTypeNotAvailable:        "PolicyTypeNotAvailableForOrganizationException",
	org.DuplicatePolicyAttachment:     "DuplicatePolicyAttachmentException",
	org.PolicyNotAttached:             "PolicyNotAttachedException",
	org.MalformedPolicyDocument:       "MalformedPolicyDocumentException",
	org.AccountAlreadyClosed:          "AccountAlreadyClosedException",
	org.AccountAlreadyRegistered:      "AccountAlreadyRegisteredException",
	org.AccountNotRegistered:          "AccountNotRegisteredException",
}

// MapError turns an *org.Error into the wire error (every Organizations
// client error is HTTP 400); nil for other errors.
func MapError(err error) *awsapi.Error {
	var e *org.Error
	if !errors.As(err, &e) {
		return nil
	}
	code, ok := wireCodes[e.Kind]
	if !ok {
		return &awsapi.Error{Code: "ServiceException", Message: e.Message, Status: http.StatusInternalServerError}
	}
	out := &awsapi.Error{Code: code, Message: e.Message, Status: http.StatusBadRequest, Sender: true}
	if e.Reason != "" {
		out.Fields = map[string]any{"Reason": e.Reason}
	}
	return out
}
