// Package iamapi binds internal/iam to the AWS Query wire protocol: the
// operations of the iam (2010-05-08) and sts (2011-06-15) APIs and the
// mapping of iam's domain errors to their wire codes.
package iamapi

import (
	"errors"
	"net/http"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/iam"
)

// IAM returns the iam service binding.
func IAM(svc *iam.Service) *awsapi.Service {
	ops := []awsapi.Operation{
		// users
		awsapi.Op("CreateUser", svc.CreateUser),
		awsapi.Op("GetUser", svc.GetUser),
		awsapi.Op("ListUsers", svc.ListUsers),
		awsapi.Op("UpdateUser", svc.UpdateUser),
		awsapi.Op("DeleteUser", svc.DeleteUser),
		awsapi.Op("TagUser", svc.TagUser),
		awsapi.Op("UntagUser", svc.UntagUser),
		awsapi.Op("ListUserTags", svc.ListUserTags),
		// access keys
		awsapi.Op("CreateAccessKey", svc.CreateAccessKey),
		awsapi.Op("ListAccessKeys", svc.ListAccessKeys),
		awsapi.Op("UpdateAccessKey", svc.UpdateAccessKey),
		awsapi.Op("DeleteAccessKey", svc.DeleteAccessKey),
		// inline policies
		awsapi.Op("PutUserPolicy", svc.PutUserPolicy),
		awsapi.Op("GetUserPolicy", svc.GetUserPolicy),
		awsapi.Op("DeleteUserPolicy", svc.DeleteUserPolicy),
		awsapi.Op("ListUserPolicies", svc.ListUserPolicies),
		awsapi.Op("PutRolePolicy", svc.PutRolePolicy),
		awsapi.Op("GetRolePolicy", svc.GetRolePolicy),
		awsapi.Op("DeleteRolePolicy", svc.DeleteRolePolicy),
		awsapi.Op("ListRolePolicies", svc.ListRolePolicies),
		awsapi.Op("PutGroupPolicy", svc.PutGroupPolicy),
		awsapi.Op("GetGroupPolicy", svc.GetGroupPolicy),
		awsapi.Op("DeleteGroupPolicy", svc.DeleteGroupPolicy),
		awsapi.Op("ListGroupPolicies", svc.ListGroupPolicies),
		// managed policies
		awsapi.Op("CreatePolicy", svc.CreatePolicy),
		awsapi.Op("GetPolicy", svc.GetPolicy),
		awsapi.Op("DeletePolicy", svc.DeletePolicy),
		awsapi.Op("ListPolicies", svc.ListPolicies),
		awsapi.Op("CreatePolicyVersion", svc.CreatePolicyVersion),
		awsapi.Op("GetPolicyVersion", svc.GetPolicyVersion),
		awsapi.Op("ListPolicyVersions", svc.ListPolicyVersions),
		awsapi.Op("DeletePolicyVersion", svc.DeletePolicyVersion),
		awsapi.Op("SetDefaultPolicyVersion", svc.SetDefaultPolicyVersion),
		awsapi.Op("AttachUserPolicy", svc.AttachUserPolicy),
		awsapi.Op("DetachUserPolicy", svc.DetachUserPolicy),
		awsapi.Op("ListAttachedUserPolicies", svc.ListAttachedUserPolicies),
		awsapi.Op("AttachRolePolicy", svc.AttachRolePolicy),
		awsapi.Op("DetachRolePolicy", svc.DetachRolePolicy),
		awsapi.Op("ListAttachedRolePolicies", svc.ListAttachedRolePolicies),
		awsapi.Op("AttachGroupPolicy", svc.AttachGroupPolicy),
		awsapi.Op("DetachGroupPolicy", svc.DetachGroupPolicy),
		awsapi.Op("ListAttachedGroupPolicies", svc.ListAttachedGroupPolicies),
		awsapi.Op("ListEntitiesForPolicy", svc.ListEntitiesForPolicy),
		awsapi.Op("TagPolicy", svc.TagPolicy),
		awsapi.Op("UntagPolicy", svc.UntagPolicy),
		awsapi.Op("ListPolicyTags", svc.ListPolicyTags),
		// roles
		awsapi.Op("CreateRole", svc.CreateRole),
		awsapi.Op("GetRole", svc.GetRole),
		awsapi.Op("ListRoles", svc.ListRoles),
		awsapi.Op("UpdateRole", svc.UpdateRole),
		awsapi.Op("DeleteRole", svc.DeleteRole),
		awsapi.Op("UpdateAssumeRolePolicy", svc.UpdateAssumeRolePolicy),
		awsapi.Op("TagRole", svc.TagRole),
		awsapi.Op("UntagRole", svc.UntagRole),
		awsapi.Op("ListRoleTags", svc.ListRoleTags),
		awsapi.Op("CreateServiceLinkedRole", svc.CreateServiceLinkedRole),
		awsapi.Op("DeleteServiceLinkedRole", svc.DeleteServiceLinkedRole),
		awsapi.Op("GetServiceLinkedRoleDeletionStatus", svc.GetServiceLinkedRoleDeletionStatus),
		// groups
		awsapi.Op("CreateGroup", svc.CreateGroup),
		awsapi.Op("GetGroup", svc.GetGroup),
		awsapi.Op("ListGroups", svc.ListGroups),
		awsapi.Op("DeleteGroup", svc.DeleteGroup),
		awsapi.Op("AddUserToGroup", svc.AddUserToGroup),
		awsapi.Op("RemoveUserFromGroup", svc.RemoveUserFromGroup),
		awsapi.Op("ListGroupsForUser", svc.ListGroupsForUser),
		// simulation
		awsapi.Op("SimulatePrincipalPolicy", svc.SimulatePrincipalPolicy),
		awsapi.Op("SimulateCustomPolicy", svc.SimulateCustomPolicy),
	}
	ops = append(ops, extraOps(svc)...)
	ops = append(ops, securityOps(svc)...)
	return &awsapi.Service{
		SigningName:  "iam",
		Protocol:     awsapi.Query,
		XMLNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
		APIVersion:   "2010-05-08",
		Regions:      []string{"us-east-1"},
		Global:       true,
		Operations:   byName(ops),
		MapError:     MapError,
	}
}

// STS returns the sts service binding.
func STS(svc *iam.Service) *awsapi.Service {
	ops := []awsapi.Operation{
		awsapi.Op("GetCallerIdentity", svc.GetCallerIdentity),
		awsapi.Op("AssumeRole", svc.AssumeRole),
		awsapi.Op("GetSessionToken", svc.GetSessionToken),
	}
	return &awsapi.Service{
		SigningName:  "sts",
		Protocol:     awsapi.Query,
		XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		APIVersion:   "2011-06-15",
		Regions:      []string{"us-east-1"},
		Operations:   byName(ops),
		MapError:     MapError,
	}
}

func byName(ops []awsapi.Operation) map[string]awsapi.Operation {
	m := make(map[string]awsapi.Operation, len(ops))
	for _, op := range ops {
		m[op.Name] = op
	}
	return m
}

// wireCodes maps domain error kinds to IAM/STS wire codes and statuses
// (reference §1.4: IAM codes drop the Exception suffix).
var wireCodes = map[iam.ErrorKind]struct {
	code   string
	status int
}{
	iam.NoSuchEntity:              {"NoSuchEntity", http.StatusNotFound},
	iam.EntityAlreadyExists:       {"EntityAlreadyExists", http.StatusConflict},
	iam.LimitExceeded:             {"LimitExceeded", http.StatusConflict},
	iam.InvalidInput:              {"InvalidInput", http.StatusBadRequest},
	iam.MalformedPolicyDocument:   {"MalformedPolicyDocument", http.StatusBadRequest},
	iam.DeleteConflict:            {"DeleteConflict", http.StatusConflict},
	iam.UnmodifiableEntity:        {"UnmodifiableEntity", http.StatusBadRequest},
	iam.ServiceNotSupported:       {"NotSupportedService", http.StatusNotFound},
	iam.PackedPolicyTooLarge:      {"PackedPolicyTooLarge", http.StatusBadRequest},
	iam.ExpiredToken:              {"ExpiredToken", http.StatusBadRequest},
	iam.ValidationError:           {"ValidationError", http.StatusBadRequest},
	iam.AccessDenied:              {"AccessDenied", http.StatusForbidden},
	iam.PolicyNotAttachable:       {"PolicyNotAttachable", http.StatusBadRequest},
	iam.InvalidClientTokenId:      {"InvalidClientTokenId", http.StatusForbidden},
	iam.InvalidAuthenticationCode: {"InvalidAuthenticationCode", http.StatusForbidden},
}

// MapError turns an *iam.Error into the wire error; nil for other errors.
func MapError(err error) *awsapi.Error {
	var e *iam.Error
	if !errors.As(err, &e) {
		return nil
	}
	w, ok := wireCodes[e.Kind]
	if !ok {
		return &awsapi.Error{Code: "ServiceFailure", Message: e.Message, Status: http.StatusInternalServerError}
	}
	return &awsapi.Error{Code: w.code, Message: e.Message, Status: w.status, Sender: true}
}
