package iam

import (
	"context"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

// PasswordPolicy is the IAM API's PasswordPolicy shape.
type PasswordPolicy struct {
	MinimumPasswordLength      *int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	ExpirePasswords            bool
	MaxPasswordAge             *int
	PasswordReusePrevention    *int
	HardExpiry                 *bool
}

// passwordSymbols are the characters RequireSymbols counts.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

const defaultMinPasswordLength = 6

type UpdateAccountPasswordPolicyInput struct {
	MinimumPasswordLength      *int `min:"6" max:"128"`
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             *int `min:"1" max:"1095"`
	PasswordReusePrevention    *int `min:"1" max:"24"`
	HardExpiry                 *bool
}

// UpdateAccountPasswordPolicy replaces the account's password policy;
// members not given take their defaults (no partial updates).
func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, c *authz.Caller, in *UpdateAccountPasswordPolicyInput) (*Empty, error) {
	if err := s.authorize(ctx, c, "iam:UpdateAccountPasswordPolicy", "*", nil); err != nil {
		return nil, err
	}
	p := &passwordPolicyRow{
		MinLength: defaultMinPasswordLength, RequireSymbols: in.RequireSymbols, RequireNumbers: in.RequireNumbers,
		RequireUppercase: in.RequireUppercaseCharacters, RequireLowercase: in.RequireLowercaseCharacters,
		AllowChange: in.AllowUsersToChangePassword, HardExpiry: in.HardExpiry,
	}
	if in.MinimumPasswordLength != nil {
		p.MinLength = *in.MinimumPasswordLength
	}
	if in.MaxPasswordAge != nil {
		p.MaxAge = *in.MaxPasswordAge
	}
	if in.PasswordReusePrevention != nil {
		p.ReusePrevention = *in.PasswordReusePrevention
	}
	if err := s.st.putPasswordPolicy(ctx, s.st.db, c.AccountID, p); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type GetAccountPasswordPolicyOutput struct {
	PasswordPolicy PasswordPolicy
}

// GetAccountPasswordPolicy describes the account's password policy.
func (s *Service) GetAccountPasswordPolicy(ctx context.Context, c *authz.Caller, _ *Empty) (*GetAccountPasswordPolicyOutput, error) {
	if err := s.authorize(ctx, c, "iam:GetAccountPasswordPolicy", "*", nil); err != nil {
		return nil, err
	}
	p, err := s.st.passwordPolicy(ctx, s.st.db, c.AccountID)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errorf(NoSuchEntity, "The Password Policy with domain name %s cannot be found.", c.AccountID)
	}
	out := PasswordPolicy{
		MinimumPasswordLength: &p.MinLength, RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercase, RequireLowercaseCharacters: p.RequireLowercase,
		AllowUsersToChangePassword: p.AllowChange, ExpirePasswords: p.MaxAge > 0, HardExpiry: p.HardExpiry,
	}
	if p.MaxAge > 0 {
		out.MaxPasswordAge = &p.MaxAge
	}
	if p.ReusePrevention > 0 {
		out.PasswordReusePrevention = &p.ReusePrevention
	}
	return &GetAccountPasswordPolicyOutput{PasswordPolicy: out}, nil
}

// DeleteAccountPasswordPolicy removes the policy; IAM's default rules apply
// again.
func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context, c *authz.Caller, _ *Empty) (*Empty, error) {
	if err := s.authorize(ctx, c, "iam:DeleteAccountPasswordPolicy", "*", nil); err != nil {
		return nil, err
	}
	ok, err := s.st.deletePasswordPolicy(ctx, s.st.db, c.AccountID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(NoSuchEntity, "The account policy with name PasswordPolicy cannot be found.")
	}
	return &Empty{}, nil
}

func passwordViolation() *Error {
	return errorf(PasswordPolicyViolation, "Password does not conform to the account password policy.")
}

// passwordClasses counts the character classes of password: uppercase,
// lowercase, digits and the policy's symbols.
func passwordClasses(password string) (upper, lower, digit, symbol bool) {
	for _, r := range password {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	return
}

// conforms checks password against the account's policy, or without one
// against IAM's default policy: at least 8 characters, three of the four
// classes, and not the account's name or e-mail address.
func conforms(p *passwordPolicyRow, a *Account, password string) error {
	upper, lower, digit, symbol := passwordClasses(password)
	if p == nil {
		n := 0
		for _, has := range []bool{upper, lower, digit, symbol} {
			if has {
				n++
			}
		}
		if len([]rune(password)) < 8 || n < 3 || (a != nil && (password == a.Name || strings.EqualFold(password, a.Email))) {
			return passwordViolation()
		}
		return nil
	}
	if len([]rune(password)) < p.MinLength || (p.RequireUppercase && !upper) || (p.RequireLowercase && !lower) ||
		(p.RequireNumbers && !digit) || (p.RequireSymbols && !symbol) {
		return passwordViolation()
	}
	return nil
}

// checkNewPassword is the policy's answer for a user's new password: the
// policy's rules, and under PasswordReusePrevention none of the user's
// last N passwords.
func (s *Service) checkNewPassword(ctx context.Context, q querier, acct, userID, password string) error {
	p, err := s.st.passwordPolicy(ctx, q, acct)
	if err != nil {
		return err
	}
	a, err := s.st.getAccount(ctx, q, acct)
	if err != nil {
		return err
	}
	if err := conforms(p, a, password); err != nil {
		return err
	}
	if p == nil || p.ReusePrevention == 0 {
		return nil
	}
	recent, err := s.st.recentPasswords(ctx, q, userID, p.ReusePrevention)
	if err != nil {
		return err
	}
	for _, h := range recent {
		if passwordMatches(h, password) {
			return passwordViolation()
		}
	}
	return nil
}
