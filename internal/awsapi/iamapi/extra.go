package iamapi

import (
	"net/http"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/iam"
)

// extraOps are the IAM operations clients call on their way (Terraform's
// destroy paths among them): instance profiles, SSH public keys, signing
// certificates, service-specific credentials, login profiles and the
// account password policy.
func extraOps(svc *iam.Service) []awsapi.Operation {
	return []awsapi.Operation{
		// instance profiles
		awsapi.Op("CreateInstanceProfile", svc.CreateInstanceProfile),
		awsapi.Op("GetInstanceProfile", svc.GetInstanceProfile),
		awsapi.Op("DeleteInstanceProfile", svc.DeleteInstanceProfile),
		awsapi.Op("AddRoleToInstanceProfile", svc.AddRoleToInstanceProfile),
		awsapi.Op("RemoveRoleFromInstanceProfile", svc.RemoveRoleFromInstanceProfile),
		awsapi.Op("ListInstanceProfiles", svc.ListInstanceProfiles),
		awsapi.Op("ListInstanceProfilesForRole", svc.ListInstanceProfilesForRole),
		awsapi.Op("TagInstanceProfile", svc.TagInstanceProfile),
		awsapi.Op("UntagInstanceProfile", svc.UntagInstanceProfile),
		awsapi.Op("ListInstanceProfileTags", svc.ListInstanceProfileTags),
		// SSH public keys
		awsapi.Op("UploadSSHPublicKey", svc.UploadSSHPublicKey),
		awsapi.Op("GetSSHPublicKey", svc.GetSSHPublicKey),
		awsapi.Op("ListSSHPublicKeys", svc.ListSSHPublicKeys),
		awsapi.Op("UpdateSSHPublicKey", svc.UpdateSSHPublicKey),
		awsapi.Op("DeleteSSHPublicKey", svc.DeleteSSHPublicKey),
		// signing certificates
		awsapi.Op("UploadSigningCertificate", svc.UploadSigningCertificate),
		awsapi.Op("ListSigningCertificates", svc.ListSigningCertificates),
		awsapi.Op("UpdateSigningCertificate", svc.UpdateSigningCertificate),
		awsapi.Op("DeleteSigningCertificate", svc.DeleteSigningCertificate),
		// service-specific credentials
		awsapi.Op("CreateServiceSpecificCredential", svc.CreateServiceSpecificCredential),
		awsapi.Op("ListServiceSpecificCredentials", svc.ListServiceSpecificCredentials),
		awsapi.Op("ResetServiceSpecificCredential", svc.ResetServiceSpecificCredential),
		awsapi.Op("UpdateServiceSpecificCredential", svc.UpdateServiceSpecificCredential),
		awsapi.Op("DeleteServiceSpecificCredential", svc.DeleteServiceSpecificCredential),
		// login profiles and the password policy
		awsapi.Op("CreateLoginProfile", svc.CreateLoginProfile),
		awsapi.Op("GetLoginProfile", svc.GetLoginProfile),
		awsapi.Op("UpdateLoginProfile", svc.UpdateLoginProfile),
		awsapi.Op("DeleteLoginProfile", svc.DeleteLoginProfile),
		awsapi.Op("ChangePassword", svc.ChangePassword),
		awsapi.Op("GetAccountPasswordPolicy", svc.GetAccountPasswordPolicy),
		awsapi.Op("UpdateAccountPasswordPolicy", svc.UpdateAccountPasswordPolicy),
		awsapi.Op("DeleteAccountPasswordPolicy", svc.DeleteAccountPasswordPolicy),
	}
}

// The wire codes of the extra families' errors (model error.code and
// httpStatusCode).
func init() {
	for k, w := range map[iam.ErrorKind]struct {
		code   string
		status int
	}{
		iam.InvalidPublicKey:              {"InvalidPublicKey", http.StatusBadRequest},
		iam.DuplicateSSHPublicKey:         {"DuplicateSSHPublicKey", http.StatusBadRequest},
		iam.UnrecognizedPublicKeyEncoding: {"UnrecognizedPublicKeyEncoding", http.StatusBadRequest},
		iam.MalformedCertificate:          {"MalformedCertificate", http.StatusBadRequest},
		iam.InvalidCertificate:            {"InvalidCertificate", http.StatusBadRequest},
		iam.DuplicateCertificate:          {"DuplicateCertificate", http.StatusConflict},
		iam.PasswordPolicyViolation:       {"PasswordPolicyViolation", http.StatusBadRequest},
		iam.InvalidUserType:               {"InvalidUserType", http.StatusBadRequest},
	} {
		wireCodes[k] = w
	}
}
