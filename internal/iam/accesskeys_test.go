package iam

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestAccessKeys(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "bob"}))

	k1 := must(e.svc.CreateAccessKey(e.ctx, root, &CreateAccessKeyInput{UserName: "bob"})).AccessKey
	if len(k1.AccessKeyId) != 20 || k1.AccessKeyId[:4] != "AKIA" || len(k1.SecretAccessKey) != 40 || k1.Status != "Active" {
		t.Fatalf("key = %+v", k1)
	}
	k2 := must(e.svc.CreateAccessKey(e.ctx, root, &CreateAccessKeyInput{UserName: "bob"})).AccessKey

	steps := []struct {
		name string
		run  func() error
		want ErrorKind
	}{
		{"third key exceeds quota", func() error {
			_, err := e.svc.CreateAccessKey(e.ctx, root, &CreateAccessKeyInput{UserName: "bob"})
			if err != nil && err.Error() != "LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2" {
				t.Errorf("message %q", err)
			}
			return err
		}, LimitExceeded},
		{"key resolves to the user", func() error {
			rk, err := e.st.LookupCredential(e.ctx, k1.AccessKeyId)
			if err == nil && (rk == nil || rk.SecretAccessKey != k1.SecretAccessKey || rk.Principal.UserName != "bob" || rk.Principal.Type != "User") {
				t.Errorf("resolved = %+v", rk)
			}
			return err
		}, 0},
		{"list shows both without secrets", func() error {
			out, err := e.svc.ListAccessKeys(e.ctx, root, &ListAccessKeysInput{UserName: "bob"})
			if err == nil && len(out.AccessKeyMetadata) != 2 {
				t.Errorf("list = %+v", out)
			}
			return err
		}, 0},
		{"inactive key no longer resolves", func() error {
			if _, err := e.svc.UpdateAccessKey(e.ctx, root, &UpdateAccessKeyInput{UserName: "bob", AccessKeyId: k1.AccessKeyId, Status: "Inactive"}); err != nil {
				return err
			}
			rk, err := e.st.LookupCredential(e.ctx, k1.AccessKeyId)
			if rk != nil {
				t.Errorf("inactive key resolved: %+v", rk.Principal)
			}
			return err
		}, 0},
		{"reactivated key resolves", func() error {
			if _, err := e.svc.UpdateAccessKey(e.ctx, root, &UpdateAccessKeyInput{UserName: "bob", AccessKeyId: k1.AccessKeyId, Status: "Active"}); err != nil {
				return err
			}
			rk, err := e.st.LookupCredential(e.ctx, k1.AccessKeyId)
			if rk == nil {
				t.Errorf("reactivated key did not resolve")
			}
			return err
		}, 0},
		{"key of another user is not found", func() error {
			must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "eve"}))
			_, err := e.svc.DeleteAccessKey(e.ctx, root, &DeleteAccessKeyInput{UserName: "eve", AccessKeyId: k1.AccessKeyId})
			return err
		}, NoSuchEntity},
		{"user with keys cannot be deleted", func() error {
			_, err := e.svc.DeleteUser(e.ctx, root, &DeleteUserInput{UserName: "bob"})
			return err
		}, DeleteConflict},
		{"delete keys then user; keys gone", func() error {
			for _, k := range []string{k1.AccessKeyId, k2.AccessKeyId} {
				if _, err := e.svc.DeleteAccessKey(e.ctx, root, &DeleteAccessKeyInput{UserName: "bob", AccessKeyId: k}); err != nil {
					return err
				}
			}
			if _, err := e.svc.DeleteUser(e.ctx, root, &DeleteUserInput{UserName: "bob"}); err != nil {
				return err
			}
			rk, err := e.st.LookupCredential(e.ctx, k2.AccessKeyId)
			if rk != nil {
				t.Errorf("deleted key resolved")
			}
			return err
		}, 0},
		{"user creates its own key without UserName", func() error {
			self := e.user(acctA, "selfie", allowDoc("iam:CreateAccessKey", "*"))
			out, err := e.svc.CreateAccessKey(e.ctx, self, &CreateAccessKeyInput{})
			if err == nil && out.AccessKey.UserName != "selfie" {
				t.Errorf("own key = %+v", out.AccessKey)
			}
			return err
		}, 0},
		{"root creates a root key; third root key over quota", func() error {
			if _, err := e.svc.CreateAccessKey(e.ctx, root, &CreateAccessKeyInput{}); err != nil {
				return err
			}
			_, err := e.svc.CreateAccessKey(e.ctx, root, &CreateAccessKeyInput{})
			return err
		}, LimitExceeded},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { wantErr(t, s.run(), s.want) })
	}
}

func TestSecretsNotInDatabaseFile(t *testing.T) {
	e := newEnv(t)
	if e.db.Path() == "" {
		t.Skip("reads the SQLite file")
	}
	root := e.roots[acctA]
	known := must(e.st.CreateAccount(e.ctx, AccountSpec{ID: "777788889999", RootAccessKeyID: "AKIAIOSFODNN7EXAMPLE", RootSecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}))
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "bob"}))
	k := must(e.svc.CreateAccessKey(e.ctx, root, &CreateAccessKeyInput{UserName: "bob"})).AccessKey
	must(e.svc.CreateRole(e.ctx, root, &CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAccount(acctA)}))
	must(e.svc.PutUserPolicy(e.ctx, root, &PutUserPolicyInput{UserName: "bob", PolicyName: "p", PolicyDocument: allowDoc("sts:AssumeRole", "*")}))
	sess := must(e.svc.AssumeRole(e.ctx, e.caller(k.AccessKeyId), &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acctA + ":role/r", RoleSessionName: "s1"})).Credentials

	var data []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(e.db.Path()), filepath.Base(e.db.Path())+suffix))
		if err == nil {
			data = append(data, b...)
		}
	}
	if len(data) == 0 {
		t.Fatal("read no database bytes")
	}
	if !bytes.Contains(data, []byte(k.AccessKeyId)) {
		t.Fatal("database bytes do not contain the key ID; the search would prove nothing")
	}
	for name, secret := range map[string]string{
		"user secret": k.SecretAccessKey, "given root secret": known.RootSecretAccessKey,
		"session secret": sess.SecretAccessKey, "session token": sess.SessionToken,
	} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s found in plaintext in the database file", name)
		}
	}
	rk := must(e.st.LookupCredential(e.ctx, "AKIAIOSFODNN7EXAMPLE"))
	if rk == nil || rk.SecretAccessKey != known.RootSecretAccessKey || rk.Principal.ARN != "arn:aws:iam::777788889999:root" || rk.Principal.UserID != "777788889999" {
		t.Fatalf("given root key resolves to %+v", rk)
	}
}

func TestCreateAccount(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name string
		spec AccountSpec
		want ErrorKind
	}{
		{"generated", AccountSpec{}, 0},
		{"existing account", AccountSpec{ID: acctA}, EntityAlreadyExists},
		{"bad account ID", AccountSpec{ID: "12ab"}, InvalidInput},
		{"duplicate root key", AccountSpec{ID: "999988887777", RootAccessKeyID: "AKIADUPLICATEKEY0001", RootSecretAccessKey: "s3cr3t-s3cr3t-s3cr3t"}, 0},
		{"reused key ID", AccountSpec{ID: "999988887778", RootAccessKeyID: "AKIADUPLICATEKEY0001"}, EntityAlreadyExists},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := e.st.CreateAccount(e.ctx, c.spec)
			wantErr(t, err, c.want)
			if err == nil && (len(out.AccountID) != 12 || out.RootAccessKeyID == "" || out.RootSecretAccessKey == "") {
				t.Fatalf("created %+v", out)
			}
		})
	}
	accts := must(e.st.ListAccounts(e.ctx))
	if len(accts) != 4 {
		t.Fatalf("ListAccounts = %d accounts, want 4", len(accts))
	}
}
