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

// TestTerraformUserForceDestroy mimics aws_iam_user with force_destroy:
// the provider deletes the login profile (a missing one is fine), then
// lists and deletes access keys, SSH keys, signing certificates and
// service-specific credentials (and MFA devices, not served here), then
// DeleteUser, which refuses while any of them remains.
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

	_, err := root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
	if msg := apiError(t, err, "DeleteConflict"); msg != "Cannot delete entity, must delete login profile first." {
		t.Fatalf("DeleteUser message %q", msg)
	}

	// The provider's force_destroy sequence.
	deleteLoginProfile := func() {
		_, err := root.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: user})
		var nse *iamtypes.NoSuchEntityException
		if err != nil && !errors.As(err, &nse) {
			t.Fatalf("DeleteLoginProfile: %v", err)
		}
	}
	deleteLoginProfile()
	deleteLoginProfile() // again: NoSuchEntity, which the provider ignores
	for _, k := range must[*iam.ListAccessKeysOutput](t)(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})).AccessKeyMetadata {
		must[*iam.DeleteAccessKeyOutput](t)(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: k.AccessKeyId}))
	}
	for _, k := range must[*iam.ListSSHPublicKeysOutput](t)(root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: user})).SSHPublicKeys {
		must[*iam.DeleteSSHPublicKeyOutput](t)(root.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId}))
	}
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
