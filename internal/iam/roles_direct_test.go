package iam

import (
	"testing"
)

func TestCreateRoleDirect(t *testing.T) {
	e := newEnv(t)
	trustA := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acctA + `:root"},"Action":"sts:AssumeRole"}]}`
	admin := e.st.AWSManagedPolicyARN("AdministratorAccess")
	if admin == "" {
		t.Fatal("AdministratorAccess is not embedded")
	}
	tests := []struct {
		name string
		spec RoleSpec
		want ErrorKind
	}{
		{name: "admin role trusting another account",
			spec: RoleSpec{AccountID: acctB, Name: "OrganizationAccountAccessRole", TrustPolicy: trustA, ManagedPolicyARNs: []string{admin}}},
		{name: "same name again",
			spec: RoleSpec{AccountID: acctB, Name: "organizationaccountaccessrole", TrustPolicy: trustA}, want: EntityAlreadyExists},
		{name: "unknown account",
			spec: RoleSpec{AccountID: "999988887777", Name: "r", TrustPolicy: trustA}, want: NoSuchEntity},
		{name: "trust policy without principal",
			spec: RoleSpec{AccountID: acctB, Name: "bad", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`},
			want: MalformedPolicyDocument},
		{name: "unknown managed policy",
			spec: RoleSpec{AccountID: acctB, Name: "nopol", TrustPolicy: trustA, ManagedPolicyARNs: []string{"arn:aws:iam::" + acctB + ":policy/none"}},
			want: NoSuchEntity},
		{name: "service role policy refused",
			spec: RoleSpec{AccountID: acctB, Name: "slrpol", TrustPolicy: trustA,
				ManagedPolicyARNs: []string{e.st.AWSManagedPolicyARN("CertificateManagerServiceRolePolicy")}},
			want: PolicyNotAttachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.st.CreateRoleDirect(e.ctx, tc.spec)
			wantErr(t, err, tc.want)
			if tc.want != 0 {
				return
			}
			if r.Arn != "arn:aws:iam::"+acctB+":role/OrganizationAccountAccessRole" || *r.MaxSessionDuration != 3600 {
				t.Errorf("role = %+v", r)
			}
		})
	}

	// The role is real: a user of the trusted account assumes it (roots may
	// not) and the session holds administrator access in the other account.
	ops := e.user(acctA, "ops", allowDoc("sts:AssumeRole", "*"))
	out := must(e.svc.AssumeRole(e.ctx, ops, &AssumeRoleInput{
		RoleArn: "arn:aws:iam::" + acctB + ":role/OrganizationAccountAccessRole", RoleSessionName: "admin"}))
	sess := e.caller(out.Credentials.AccessKeyId)
	if sess.AccountID != acctB {
		t.Fatalf("session account = %s", sess.AccountID)
	}
	if _, err := e.svc.CreateUser(e.ctx, sess, &CreateUserInput{UserName: "made-by-admin"}); err != nil {
		t.Fatalf("CreateUser through the role: %v", err)
	}
	// Failed specs left nothing behind.
	for _, name := range []string{"bad", "nopol", "slrpol"} {
		if r, _ := e.st.getRole(e.ctx, e.db, acctB, name); r != nil {
			t.Errorf("role %s exists after a failed create", name)
		}
	}
}
