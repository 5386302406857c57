// Package ramapi binds internal/ram to the restJson1 wire protocol: RAM's
// operations by method and path (ram 2018-01-04) and the mapping of ram's
// domain errors to RAM's exception names and HTTP statuses.
package ramapi

import (
	"errors"
	"net/http"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/ram"
)

// Service returns the ram service binding.
func Service(svc *ram.Service) *awsapi.Service {
	ops := map[string]awsapi.Operation{
		"POST /createresourceshare":                   awsapi.Op("CreateResourceShare", svc.CreateResourceShare),
		"POST /updateresourceshare":                   awsapi.Op("UpdateResourceShare", svc.UpdateResourceShare),
		"DELETE /deleteresourceshare":                 awsapi.Op("DeleteResourceShare", svc.DeleteResourceShare),
		"POST /associateresourceshare":                awsapi.Op("AssociateResourceShare", svc.AssociateResourceShare),
		"POST /disassociateresourceshare":             awsapi.Op("DisassociateResourceShare", svc.DisassociateResourceShare),
		"POST /getresourceshares":                     awsapi.Op("GetResourceShares", svc.GetResourceShares),
		"POST /getresourceshareassociations":          awsapi.Op("GetResourceShareAssociations", svc.GetResourceShareAssociations),
		"POST /getresourceshareinvitations":           awsapi.Op("GetResourceShareInvitations", svc.GetResourceShareInvitations),
		"POST /acceptresourceshareinvitation":         awsapi.Op("AcceptResourceShareInvitation", svc.AcceptResourceShareInvitation),
		"POST /rejectresourceshareinvitation":         awsapi.Op("RejectResourceShareInvitation", svc.RejectResourceShareInvitation),
		"POST /listpendinginvitationresources":        awsapi.Op("ListPendingInvitationResources", svc.ListPendingInvitationResources),
		"POST /listresources":                         awsapi.Op("ListResources", svc.ListResources),
		"POST /listprincipals":                        awsapi.Op("ListPrincipals", svc.ListPrincipals),
		"POST /listresourcetypes":                     awsapi.Op("ListResourceTypes", svc.ListResourceTypes),
		"POST /listpermissions":                       awsapi.Op("ListPermissions", svc.ListPermissions),
		"POST /getpermission":                         awsapi.Op("GetPermission", svc.GetPermission),
		"POST /listpermissionversions":                awsapi.Op("ListPermissionVersions", svc.ListPermissionVersions),
		"POST /listresourcesharepermissions":          awsapi.Op("ListResourceSharePermissions", svc.ListResourceSharePermissions),
		"POST /associateresourcesharepermission":      awsapi.Op("AssociateResourceSharePermission", svc.AssociateResourceSharePermission),
		"POST /disassociateresourcesharepermission":   awsapi.Op("DisassociateResourceSharePermission", svc.DisassociateResourceSharePermission),
		"POST /getresourcepolicies":                   awsapi.Op("GetResourcePolicies", svc.GetResourcePolicies),
		"POST /enablesharingwithawsorganization":      awsapi.Op("EnableSharingWithAwsOrganization", svc.EnableSharingWithAwsOrganization),
		"POST /promoteresourcesharecreatedfrompolicy": awsapi.Op("PromoteResourceShareCreatedFromPolicy", svc.PromoteResourceShareCreatedFromPolicy),
		"POST /tagresource":                           awsapi.Op("TagResource", svc.TagResource),
		"POST /untagresource":                         awsapi.Op("UntagResource", svc.UntagResource),
	}
	return &awsapi.Service{
		SigningName: "ram",
		Protocol:    awsapi.RESTJSON1,
		Operations:  ops,
		MapError:    MapError,
	}
}

var wireCodes = map[ram.Kind]string{
	ram.UnknownResource:             "UnknownResourceException",
	ram.MalformedArn:                "MalformedArnException",
	ram.InvalidParameter:            "InvalidParameterException",
	ram.MissingRequiredParameter:    "MissingRequiredParameterException",
	ram.OperationNotPermitted:       "OperationNotPermittedException",
	ram.InvalidStateTransition:      "InvalidStateTransitionException",
	ram.IdempotentParameterMismatch: "IdempotentParameterMismatchException",
	ram.InvalidClientToken:          "InvalidClientTokenException",
	ram.InvalidNextToken:            "InvalidNextTokenException",
	ram.InvalidMaxResults:           "InvalidMaxResultsException",
	ram.InvalidResourceType:         "InvalidResourceTypeException",
	ram.ResourceShareLimitExceeded:  "ResourceShareLimitExceededException",
	ram.InvitationArnNotFound:       "ResourceShareInvitationArnNotFoundException",
	ram.InvitationAlreadyAccepted:   "ResourceShareInvitationAlreadyAcceptedException",
	ram.InvitationAlreadyRejected:   "ResourceShareInvitationAlreadyRejectedException",
	ram.InvitationExpired:           "ResourceShareInvitationExpiredException",
	ram.ResourceArnNotFound:         "ResourceArnNotFoundException",
	ram.TagLimitExceeded:            "TagLimitExceededException",
	ram.UnmatchedPolicyPermission:   "UnmatchedPolicyPermissionException",
}

// MapError turns a *ram.Error into RAM's wire error (all modeled client
// errors of the operations here are HTTP 400); nil for other errors.
func MapError(err error) *awsapi.Error {
	var e *ram.Error
	if !errors.As(err, &e) {
		return nil
	}
	code, ok := wireCodes[e.Kind]
	if !ok {
		return &awsapi.Error{Code: "ServerInternalException", Message: e.Msg, Status: http.StatusInternalServerError}
	}
	return &awsapi.Error{Code: code, Message: e.Msg, Status: http.StatusBadRequest, Sender: true}
}
