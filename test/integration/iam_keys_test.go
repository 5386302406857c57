package integration

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/crypto/ssh"
)

func rsaKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func authorizedKey(t *testing.T, k *rsa.PrivateKey) (line, md5 string) {
	t.Helper()
	pub, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))), ssh.FingerprintLegacyMD5(pub)
}

func TestSSHPublicKeys(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))

	empty := must[*iam.ListSSHPublicKeysOutput](t)(root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev")}))
	if len(empty.SSHPublicKeys) != 0 || empty.IsTruncated {
		t.Fatalf("empty list = %+v", empty)
	}
	key := rsaKey(t, 2048)
	line, fp := authorizedKey(t, key)
	up := must[*iam.UploadSSHPublicKeyOutput](t)(root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(line + " dev@laptop")}))
	k := up.SSHPublicKey
	id := aws.ToString(k.SSHPublicKeyId)
	if !strings.HasPrefix(id, "APKA") || len(id) != 21 || aws.ToString(k.Fingerprint) != fp || k.Status != "Active" || aws.ToString(k.UserName) != "dev" || k.UploadDate == nil {
		t.Fatalf("UploadSSHPublicKey = %+v", k)
	}
	_, err := root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(line)})
	apiError(t, err, "DuplicateSSHPublicKey")
	small, _ := authorizedKey(t, rsaKey(t, 1024))
	_, err = root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(small)})
	apiError(t, err, "InvalidPublicKey")
	_, err = root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")})
	apiError(t, err, "UnrecognizedPublicKeyEncoding")

	pemGot := must[*iam.GetSSHPublicKeyOutput](t)(root.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id), Encoding: "PEM"}))
	block, _ := pem.Decode([]byte(aws.ToString(pemGot.SSHPublicKey.SSHPublicKeyBody)))
	if block == nil {
		t.Fatalf("PEM body %q", aws.ToString(pemGot.SSHPublicKey.SSHPublicKeyBody))
	}
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil || !key.PublicKey.Equal(parsed) {
		t.Fatalf("PEM key differs: %v", err)
	}
	sshGot := must[*iam.GetSSHPublicKeyOutput](t)(root.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id), Encoding: "SSH"}))
	if !strings.HasPrefix(aws.ToString(sshGot.SSHPublicKey.SSHPublicKeyBody), line) {
		t.Fatalf("SSH body %q", aws.ToString(sshGot.SSHPublicKey.SSHPublicKeyBody))
	}

	must[*iam.UpdateSSHPublicKeyOutput](t)(root.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id), Status: "Inactive"}))
	list := must[*iam.ListSSHPublicKeysOutput](t)(root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev")}))
	if len(list.SSHPublicKeys) != 1 || list.SSHPublicKeys[0].Status != "Inactive" || aws.ToString(list.SSHPublicKeys[0].SSHPublicKeyId) != id {
		t.Fatalf("ListSSHPublicKeys = %+v", list.SSHPublicKeys)
	}

	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dev")})
	if msg := apiError(t, err, "DeleteConflict"); msg != "Cannot delete entity, must delete SSH public keys first." {
		t.Fatalf("DeleteUser message %q", msg)
	}
	missing := "APKAAAAAAAAAAAAAAAAAA"
	_, err = root.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(missing)})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "The Public Key with id "+missing+" cannot be found." {
		t.Fatalf("missing key message %q", msg)
	}
	must[*iam.DeleteSSHPublicKeyOutput](t)(root.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id)}))
	must[*iam.DeleteUserOutput](t)(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dev")}))
}

func selfSigned(t *testing.T, cn string, notAfter time.Time) string {
	t.Helper()
	k := rsaKey(t, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestSigningCertificates(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("signer")}))
	later := r.clock.Now().Add(24 * time.Hour)
	one, two, three := selfSigned(t, "one", later), selfSigned(t, "two", later), selfSigned(t, "three", later)

	up := must[*iam.UploadSigningCertificateOutput](t)(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(one)}))
	id := aws.ToString(up.Certificate.CertificateId)
	if len(id) < 24 || up.Certificate.Status != "Active" || aws.ToString(up.Certificate.CertificateBody) != one || aws.ToString(up.Certificate.UserName) != "signer" {
		t.Fatalf("UploadSigningCertificate = %+v", up.Certificate)
	}
	_, err := root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(one)})
	apiError(t, err, "DuplicateCertificate")
	_, err = root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String("invalid-certificate-body")})
	if msg := apiError(t, err, "MalformedCertificate"); msg != "Certificate invalid-certificate-body is malformed." {
		t.Fatalf("malformed message %q", msg)
	}
	_, err = root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(selfSigned(t, "old", r.clock.Now().Add(-time.Hour)))})
	apiError(t, err, "MalformedCertificate")
	must[*iam.UploadSigningCertificateOutput](t)(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(two)}))
	_, err = root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(three)})
	if msg := apiError(t, err, "LimitExceeded"); msg != "Cannot exceed quota for CertificatesPerUser: 2" {
		t.Fatalf("quota message %q", msg)
	}

	must[*iam.UpdateSigningCertificateOutput](t)(root.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("signer"), CertificateId: aws.String(id), Status: "Inactive"}))
	var statuses []string
	pager := iam.NewListSigningCertificatesPaginator(root, &iam.ListSigningCertificatesInput{UserName: aws.String("signer"), MaxItems: aws.Int32(1)})
	for pager.HasMorePages() {
		page := must[*iam.ListSigningCertificatesOutput](t)(pager.NextPage(ctx))
		for _, c := range page.Certificates {
			if aws.ToString(c.CertificateId) == id {
				statuses = append(statuses, string(c.Status))
			} else {
				statuses = append(statuses, "other")
			}
		}
	}
	if len(statuses) != 2 || !strings.Contains(strings.Join(statuses, ","), "Inactive") {
		t.Fatalf("listed %v", statuses)
	}
	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("signer")})
	if msg := apiError(t, err, "DeleteConflict"); msg != "Cannot delete entity, must delete signing certificates first." {
		t.Fatalf("DeleteUser message %q", msg)
	}
	_, err = root.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("signer"), CertificateId: aws.String("NONEXISTENTCERTID12345678901")})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "The Certificate with id NONEXISTENTCERTID12345678901 cannot be found." {
		t.Fatalf("missing message %q", msg)
	}
	_, err = root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("nonexistent-user")})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "The user with name nonexistent-user cannot be found." {
		t.Fatalf("missing user message %q", msg)
	}

	// Without UserName the caller's own certificates: here the root's.
	must[*iam.UploadSigningCertificateOutput](t)(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(three)}))
	mine := must[*iam.ListSigningCertificatesOutput](t)(root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{}))
	if len(mine.Certificates) != 1 || aws.ToString(mine.Certificates[0].CertificateBody) != three {
		t.Fatalf("root's certificates = %+v", mine.Certificates)
	}
}

func TestServiceSpecificCredentials(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("git")}))
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("db")}))

	created := must[*iam.CreateServiceSpecificCredentialOutput](t)(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{
		UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	cred := created.ServiceSpecificCredential
	id := aws.ToString(cred.ServiceSpecificCredentialId)
	if !strings.HasPrefix(id, "ACCA") || len(id) != 21 || aws.ToString(cred.ServiceUserName) != "git-at-"+mgmtAccount ||
		len(aws.ToString(cred.ServicePassword)) < 20 || cred.Status != "Active" || aws.ToString(cred.UserName) != "git" {
		t.Fatalf("CreateServiceSpecificCredential = %+v", cred)
	}
	must[*iam.CreateServiceSpecificCredentialOutput](t)(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{
		UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	_, err := root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")})
	apiError(t, err, "LimitExceeded")
	_, err = root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("s3.amazonaws.com")})
	apiError(t, err, "NotSupportedService")
	must[*iam.CreateServiceSpecificCredentialOutput](t)(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{
		UserName: aws.String("db"), ServiceName: aws.String("cassandra.amazonaws.com")}))

	list := must[*iam.ListServiceSpecificCredentialsOutput](t)(root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("git")}))
	if len(list.ServiceSpecificCredentials) != 2 {
		t.Fatalf("git's credentials = %+v", list.ServiceSpecificCredentials)
	}
	every := must[*iam.ListServiceSpecificCredentialsOutput](t)(root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), ServiceName: aws.String("cassandra.amazonaws.com")}))
	if len(every.ServiceSpecificCredentials) != 1 || aws.ToString(every.ServiceSpecificCredentials[0].UserName) != "db" {
		t.Fatalf("all users' cassandra credentials = %+v", every.ServiceSpecificCredentials)
	}

	reset := must[*iam.ResetServiceSpecificCredentialOutput](t)(root.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id)}))
	if p := aws.ToString(reset.ServiceSpecificCredential.ServicePassword); p == "" || p == aws.ToString(cred.ServicePassword) {
		t.Fatalf("reset password %q", p)
	}
	must[*iam.UpdateServiceSpecificCredentialOutput](t)(root.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id), Status: "Inactive"}))
	_, err = root.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("db"), ServiceSpecificCredentialId: aws.String(id), Status: "Inactive"})
	apiError(t, err, "NoSuchEntity")

	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("db")})
	if msg := apiError(t, err, "DeleteConflict"); msg != "Cannot delete entity, must delete service-specific credentials first." {
		t.Fatalf("DeleteUser message %q", msg)
	}
	must[*iam.DeleteServiceSpecificCredentialOutput](t)(root.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id)}))
	after := must[*iam.ListServiceSpecificCredentialsOutput](t)(root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("git")}))
	if len(after.ServiceSpecificCredentials) != 1 {
		t.Fatalf("after delete = %+v", after.ServiceSpecificCredentials)
	}
}

// TestUserCredentialAuthorization: each operation asks for iam:<Action> on
// the user it names; without UserName the caller acts on itself.
func TestUserCredentialAuthorization(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	keyID, secret := newUserWithKey(t, r, "self")
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other")}))
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("self"), PolicyName: aws.String("own"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:UploadSSHPublicKey","iam:ListSSHPublicKeys","iam:ListSigningCertificates"],"Resource":"arn:aws:iam::` + mgmtAccount + `:user/self"}]}`)}))
	self := r.iam(keyID, secret, "")
	line, _ := authorizedKey(t, rsaKey(t, 2048))

	_, err := self.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("other"), SSHPublicKeyBody: aws.String(line)})
	if msg := apiError(t, err, "AccessDenied"); !strings.Contains(msg, "iam:UploadSSHPublicKey") || !strings.Contains(msg, "user/other") {
		t.Fatalf("denial %q", msg)
	}
	must[*iam.UploadSSHPublicKeyOutput](t)(self.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("self"), SSHPublicKeyBody: aws.String(line)}))
	mine := must[*iam.ListSSHPublicKeysOutput](t)(self.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{}))
	if len(mine.SSHPublicKeys) != 1 || aws.ToString(mine.SSHPublicKeys[0].UserName) != "self" {
		t.Fatalf("own keys = %+v", mine.SSHPublicKeys)
	}
	_, err = self.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("other")})
	apiError(t, err, "AccessDenied")
	must[*iam.ListSigningCertificatesOutput](t)(self.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{}))
	_, err = self.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{})
	apiError(t, err, "AccessDenied")
	_, err = self.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	apiError(t, err, "AccessDenied")
	_, err = self.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{Password: aws.String("Some-Pass-123")})
	apiError(t, err, "AccessDenied")
}
