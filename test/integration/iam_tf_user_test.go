package integration

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestTerraformUserForceDestroy mimics aws_iam_user's delete with
// force_destroy (provider 5.x resourceUserDelete): group memberships, then
// inline and attached policies, access keys, SSH keys, (MFA devices, served
// by another part of IAM), the login profile (a missing one is fine),
// signing certificates and service-specific credentials, each listed and
// deleted, then DeleteUser, which refuses while any of them remains.
func TestTerraformUserForceDestroy(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	user := aws.String("leaver")
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: user}))
	must[*iam.CreateLoginProfileOutput](t)(root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: user, Password: aws.String("Leaver-Pass-1")}))
	must[*iam.CreateAccessKeyOutput](t)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: user}))
	line, _ := authorizedKey(t, rsaKey(t, 2048))
	must[*iam.UploadSSHPublicKeyOutput](t)(root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(line)}))
	must[*iam.UploadSigningCertificateOutput](t)(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: user,
		CertificateBody: aws.String(selfSigned(t, "leaver", r.clock.Now().Add(time.Hour)))}))
	must[*iam.CreateServiceSpecificCredentialOutput](t)(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")}))
	must[*iam.CreateGroupOutput](t)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("staff")}))
	must[*iam.AddUserToGroupOutput](t)(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("staff"), UserName: user}))
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("inline"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
	must[*iam.AttachUserPolicyOutput](t)(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSPrivateCAReadOnly")}))

	_, err := root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
	if msg := apiError(t, err, "DeleteConflict"); msg != "Cannot delete entity, must delete login profile first." {
		t.Fatalf("DeleteUser message %q", msg)
	}

	// The provider's force_destroy sequence, in its order.
	for _, g := range must[*iam.ListGroupsForUserOutput](t)(root.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user})).Groups {
		must[*iam.RemoveUserFromGroupOutput](t)(root.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: g.GroupName, UserName: user}))
	}
	for _, n := range must[*iam.ListUserPoliciesOutput](t)(root.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: user})).PolicyNames {
		must[*iam.DeleteUserPolicyOutput](t)(root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String(n)}))
	}
	for _, p := range must[*iam.ListAttachedUserPoliciesOutput](t)(root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: user})).AttachedPolicies {
		must[*iam.DetachUserPolicyOutput](t)(root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: p.PolicyArn}))
	}
	for _, k := range must[*iam.ListAccessKeysOutput](t)(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})).AccessKeyMetadata {
		must[*iam.DeleteAccessKeyOutput](t)(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: k.AccessKeyId}))
	}
	for _, k := range must[*iam.ListSSHPublicKeysOutput](t)(root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: user})).SSHPublicKeys {
		must[*iam.DeleteSSHPublicKeyOutput](t)(root.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId}))
	}
	deleteLoginProfile := func() {
		_, err := root.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: user})
		var nse *iamtypes.NoSuchEntityException
		if err != nil && !errors.As(err, &nse) {
			t.Fatalf("DeleteLoginProfile: %v", err)
		}
	}
	deleteLoginProfile()
	deleteLoginProfile() // again: NoSuchEntity, which the provider ignores
	for _, c := range must[*iam.ListSigningCertificatesOutput](t)(root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: user})).Certificates {
		must[*iam.DeleteSigningCertificateOutput](t)(root.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: user, CertificateId: c.CertificateId}))
	}
	for _, c := range must[*iam.ListServiceSpecificCredentialsOutput](t)(root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: user})).ServiceSpecificCredentials {
		must[*iam.DeleteServiceSpecificCredentialOutput](t)(root.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: c.ServiceSpecificCredentialId}))
	}
	must[*iam.DeleteUserOutput](t)(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user}))
	_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: user})
	apiError(t, err, "NoSuchEntity")
}
