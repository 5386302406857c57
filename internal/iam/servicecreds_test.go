package iam

import (
	"bytes"
	"testing"
)

// TestServicePasswordSealed: the database holds the password only sealed by
// the master key, bound to the credential ID, and Reset replaces it.
func TestServicePasswordSealed(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "git"}))
	out := must(e.svc.CreateServiceSpecificCredential(e.ctx, root, &CreateServiceSpecificCredentialInput{UserName: "git", ServiceName: "codecommit.amazonaws.com"}))
	cred := out.ServiceSpecificCredential
	stored := func() []byte {
		var sealed []byte
		if err := e.db.QueryRowContext(e.ctx, `SELECT sealed_password FROM iam_service_credentials WHERE id = $1`, cred.ServiceSpecificCredentialId).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		return sealed
	}
	sealed := stored()
	if bytes.Contains(sealed, []byte(cred.ServicePassword)) {
		t.Fatal("password stored in clear")
	}
	if plain, err := e.st.sealer.Open(sealed, []byte(cred.ServiceSpecificCredentialId)); err != nil || string(plain) != cred.ServicePassword {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	if _, err := e.st.sealer.Open(sealed, []byte("ACCAOTHEROTHEROTHER00")); err == nil {
		t.Fatal("sealed password opens under another credential ID")
	}
	reset := must(e.svc.ResetServiceSpecificCredential(e.ctx, root, &ServiceCredentialIDInput{UserName: "git", ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId}))
	if plain, err := e.st.sealer.Open(stored(), []byte(cred.ServiceSpecificCredentialId)); err != nil || string(plain) != reset.ServiceSpecificCredential.ServicePassword {
		t.Fatalf("after reset Open = %q, %v", plain, err)
	}
}
