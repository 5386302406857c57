package iam

import (
	"testing"
	"time"
)

func TestConforms(t *testing.T) {
	acct := &Account{Name: "Acme-Prod-1", Email: "Ops@Example.com"}
	strict := &passwordPolicyRow{MinLength: 10, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true}
	tests := []struct {
		name     string
		policy   *passwordPolicyRow
		password string
		ok       bool
	}{
		{"default: three classes", nil, "abcDEF12", true},
		{"default: symbols count as a class", nil, "abcdef1!", true},
		{"default: too short", nil, "abC1!", false},
		{"default: two classes", nil, "abcdefgh12", false},
		{"default: the account name", nil, "Acme-Prod-1", false},
		{"default: the e-mail, any case", nil, "ops@example.COM", false},
		{"policy minimum length only", &passwordPolicyRow{MinLength: 6}, "aaaaaa", true},
		{"policy minimum length counts characters", &passwordPolicyRow{MinLength: 6}, "ééééé", false},
		{"strict: all classes", strict, "Abcdefgh1!", true},
		{"strict: no symbol", strict, "Abcdefgh12", false},
		{"strict: other punctuation is no symbol", strict, "Abcdefgh1~", false},
		{"strict: no number", strict, "Abcdefghi!", false},
		{"strict: no upper", strict, "abcdefgh1!", false},
		{"strict: no lower", strict, "ABCDEFGH1!", false},
		{"strict: short", strict, "Abcdef1!", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := conforms(tc.policy, acct, tc.password)
			if (err == nil) != tc.ok {
				t.Fatalf("conforms(%q) = %v, want ok=%v", tc.password, err, tc.ok)
			}
			if err != nil && KindOf(err) != PasswordPolicyViolation {
				t.Fatalf("kind %v", KindOf(err))
			}
		})
	}
}

// TestVerifyPassword: the console's check finds the user by account and
// name, refuses wrong passwords and unknown users alike, and reports a
// required reset and an expired password.
func TestVerifyPassword(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	must(e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "carol", Path: "/staff/"}))
	must(e.svc.UpdateAccountPasswordPolicy(e.ctx, root, &UpdateAccountPasswordPolicyInput{MaxPasswordAge: new(30), HardExpiry: new(true)}))
	must(e.svc.CreateLoginProfile(e.ctx, root, &CreateLoginProfileInput{UserName: "carol", Password: "Carol-Pass-1", PasswordResetRequired: true}))

	in, err := e.st.VerifyPassword(e.ctx, acctA, "CAROL", "Carol-Pass-1")
	if err != nil || in == nil || in.Principal.ARN != "arn:aws:iam::"+acctA+":user/staff/carol" || !in.ResetRequired || in.Expired {
		t.Fatalf("VerifyPassword = %+v, %v", in, err)
	}
	for _, tc := range []struct{ acct, user, password string }{
		{acctA, "carol", "carol-pass-1"},
		{acctA, "nobody", "Carol-Pass-1"},
		{acctB, "carol", "Carol-Pass-1"},
	} {
		if in, err := e.st.VerifyPassword(e.ctx, tc.acct, tc.user, tc.password); err != nil || in != nil {
			t.Fatalf("VerifyPassword(%v) = %+v, %v", tc, in, err)
		}
	}
	e.clk.Advance(31 * 24 * time.Hour)
	in, err = e.st.VerifyPassword(e.ctx, acctA, "carol", "Carol-Pass-1")
	if err != nil || in == nil || !in.Expired || !in.HardExpiry {
		t.Fatalf("after 31 days VerifyPassword = %+v, %v", in, err)
	}
}
