package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestPasswordPolicy(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	_, err := root.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "The Password Policy with domain name "+mgmtAccount+" cannot be found." {
		t.Fatalf("missing policy message %q", msg)
	}
	_, err = root.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "The account policy with name PasswordPolicy cannot be found." {
		t.Fatalf("delete missing message %q", msg)
	}

	// No members: every default, and no optional members in the answer.
	must[*iam.UpdateAccountPasswordPolicyOutput](t)(root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{}))
	def := must[*iam.GetAccountPasswordPolicyOutput](t)(root.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy
	if aws.ToInt32(def.MinimumPasswordLength) != 6 || def.ExpirePasswords || def.MaxPasswordAge != nil || def.PasswordReusePrevention != nil || def.HardExpiry != nil || def.RequireSymbols {
		t.Fatalf("default policy = %+v", def)
	}
	must[*iam.UpdateAccountPasswordPolicyOutput](t)(root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(10), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, MaxPasswordAge: aws.Int32(60), PasswordReusePrevention: aws.Int32(3), HardExpiry: aws.Bool(true)}))
	p := must[*iam.GetAccountPasswordPolicyOutput](t)(root.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy
	if aws.ToInt32(p.MinimumPasswordLength) != 10 || !p.ExpirePasswords || aws.ToInt32(p.MaxPasswordAge) != 60 || aws.ToInt32(p.PasswordReusePrevention) != 3 ||
		!aws.ToBool(p.HardExpiry) || !p.RequireSymbols || !p.RequireNumbers || !p.RequireUppercaseCharacters || !p.RequireLowercaseCharacters || !p.AllowUsersToChangePassword {
		t.Fatalf("custom policy = %+v", p)
	}
	_, err = root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(129)})
	apiError(t, err, "ValidationError")

	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ann")}))
	for _, bad := range []string{"Short1!a", "alllowercase1!x", "ALLUPPERCASE1!X", "NoDigitsHere!!", "NoSymbols12345"} {
		_, err = root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("ann"), Password: aws.String(bad)})
		if msg := apiError(t, err, "PasswordPolicyViolation"); msg != "Password does not conform to the account password policy." {
			t.Fatalf("%q: message %q", bad, msg)
		}
	}
	must[*iam.CreateLoginProfileOutput](t)(root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("ann"), Password: aws.String("Good-Pass-01")}))

	// Reuse prevention: the last three passwords may not come back.
	for _, pw := range []string{"Good-Pass-02", "Good-Pass-03"} {
		must[*iam.UpdateLoginProfileOutput](t)(root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("ann"), Password: aws.String(pw)}))
	}
	_, err = root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("ann"), Password: aws.String("Good-Pass-01")})
	apiError(t, err, "PasswordPolicyViolation")
	must[*iam.UpdateLoginProfileOutput](t)(root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("ann"), Password: aws.String("Good-Pass-04")}))
	must[*iam.UpdateLoginProfileOutput](t)(root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("ann"), Password: aws.String("Good-Pass-01")}))

	must[*iam.DeleteAccountPasswordPolicyOutput](t)(root.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}))
	// IAM's default policy then applies: 8 characters, three classes.
	_, err = root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("ann"), Password: aws.String("onlylowercase")})
	apiError(t, err, "PasswordPolicyViolation")
	must[*iam.UpdateLoginProfileOutput](t)(root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("ann"), Password: aws.String("lower-and-9")}))
}

func TestLoginProfilesAndChangePassword(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	root := r.rootIAM()
	keyID, secret := newUserWithKey(t, r, "bob")
	bob := r.iam(keyID, secret, "")

	_, err := root.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("bob")})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "Login Profile for User bob cannot be found." {
		t.Fatalf("missing profile message %q", msg)
	}
	created := must[*iam.CreateLoginProfileOutput](t)(root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Start-Pass-1"), PasswordResetRequired: true}))
	if aws.ToString(created.LoginProfile.UserName) != "bob" || !created.LoginProfile.PasswordResetRequired || created.LoginProfile.CreateDate == nil {
		t.Fatalf("CreateLoginProfile = %+v", created.LoginProfile)
	}
	_, err = root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Start-Pass-1")})
	apiError(t, err, "EntityAlreadyExists")
	got := must[*iam.GetLoginProfileOutput](t)(root.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("bob")}))
	if !got.LoginProfile.PasswordResetRequired {
		t.Fatalf("GetLoginProfile = %+v", got.LoginProfile)
	}

	// ChangePassword needs iam:ChangePassword on oneself unless the policy
	// lets every user change their own.
	_, err = bob.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Start-Pass-1"), NewPassword: aws.String("Next-Pass-2")})
	apiError(t, err, "AccessDenied")
	must[*iam.UpdateAccountPasswordPolicyOutput](t)(root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{AllowUsersToChangePassword: true, MinimumPasswordLength: aws.Int32(8)}))
	_, err = bob.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("not-my-password"), NewPassword: aws.String("Next-Pass-2")})
	apiError(t, err, "InvalidInput")
	_, err = bob.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Start-Pass-1"), NewPassword: aws.String("short")})
	apiError(t, err, "PasswordPolicyViolation")
	must[*iam.ChangePasswordOutput](t)(bob.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Start-Pass-1"), NewPassword: aws.String("Next-Pass-2")}))
	got = must[*iam.GetLoginProfileOutput](t)(root.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("bob")}))
	if got.LoginProfile.PasswordResetRequired {
		t.Fatal("ChangePassword left PasswordResetRequired set")
	}
	_, err = root.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("x"), NewPassword: aws.String("y")})
	apiError(t, err, "InvalidUserType")
	// An explicit Deny outweighs the account-level grant.
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("no-change"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ChangePassword","Resource":"*"}]}`)}))
	_, err = bob.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Next-Pass-2"), NewPassword: aws.String("Third-Pass-3")})
	apiError(t, err, "AccessDenied")

	// The console's check: the new password works, the old one does not.
	if in, err := r.app.IAMStore.VerifyPassword(ctx, mgmtAccount, "bob", "Next-Pass-2"); err != nil || in == nil || in.Principal.UserName != "bob" {
		t.Fatalf("VerifyPassword(new) = %+v, %v", in, err)
	}
	if in, err := r.app.IAMStore.VerifyPassword(ctx, mgmtAccount, "bob", "Start-Pass-1"); err != nil || in != nil {
		t.Fatalf("VerifyPassword(old) = %+v, %v", in, err)
	}

	must[*iam.UpdateLoginProfileOutput](t)(root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("bob"), PasswordResetRequired: aws.Bool(true)}))
	if !must[*iam.GetLoginProfileOutput](t)(root.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("bob")})).LoginProfile.PasswordResetRequired {
		t.Fatal("UpdateLoginProfile did not set PasswordResetRequired")
	}
}
