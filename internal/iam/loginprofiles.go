package iam

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

// LoginProfile is the IAM API's LoginProfile shape.
type LoginProfile struct {
	UserName              string
	CreateDate            time.Time
	PasswordResetRequired bool
}

type CreateLoginProfileInput struct {
	UserName              string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Password              string `min:"1" max:"128" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
	PasswordResetRequired bool
}

type LoginProfileOutput struct {
	LoginProfile LoginProfile
}

func noLoginProfile(userName string) *Error {
	return errorf(NoSuchEntity, "Login Profile for User %s cannot be found.", userName)
}

// loginUser resolves the user a login-profile operation names (or the
// calling user); the root must name one.
func (s *Service) loginUser(ctx context.Context, c *authz.Caller, userName, action string) (*target, error) {
	t, err := s.selfOrUser(ctx, c, userName, action)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errorf(ValidationError, "Must specify userName when calling with root credentials")
	}
	return t, nil
}

// CreateLoginProfile gives a user a console password that satisfies the
// account's password policy.
func (s *Service) CreateLoginProfile(ctx context.Context, c *authz.Caller, in *CreateLoginProfileInput) (*LoginProfileOutput, error) {
	t, err := s.loginUser(ctx, c, in.UserName, "iam:CreateLoginProfile")
	if err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, errorf(ValidationError, "Password is required")
	}
	if existing, err := s.st.loginProfile(ctx, s.st.db, t.id); err != nil {
		return nil, err
	} else if existing != nil {
		return nil, errorf(EntityAlreadyExists, "Login Profile for user %s already exists.", t.name)
	}
	if err := s.checkNewPassword(ctx, s.st.db, c.AccountID, t.id, in.Password); err != nil {
		return nil, err
	}
	now := s.clk.Now()
	row := &loginProfileRow{UserID: t.id, AccountID: c.AccountID, Hash: hashPassword(in.Password), ResetRequired: in.PasswordResetRequired, CreatedAt: now, ChangedAt: now}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if err := s.st.insertLoginProfile(ctx, tx, row); err != nil {
			if store.IsUniqueViolation(err) {
				return errorf(EntityAlreadyExists, "Login Profile for user %s already exists.", t.name)
			}
			return err
		}
		return s.st.rememberPassword(ctx, tx, t.id, row.Hash, now)
	})
	if err != nil {
		return nil, err
	}
	return &LoginProfileOutput{LoginProfile: LoginProfile{UserName: t.name, CreateDate: now, PasswordResetRequired: row.ResetRequired}}, nil
}

type LoginProfileUserInput struct {
	UserName string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

// GetLoginProfile tells whether a user has a console password.
func (s *Service) GetLoginProfile(ctx context.Context, c *authz.Caller, in *LoginProfileUserInput) (*LoginProfileOutput, error) {
	t, err := s.loginUser(ctx, c, in.UserName, "iam:GetLoginProfile")
	if err != nil {
		return nil, err
	}
	p, err := s.st.loginProfile(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, noLoginProfile(t.name)
	}
	return &LoginProfileOutput{LoginProfile: LoginProfile{UserName: t.name, CreateDate: p.CreatedAt, PasswordResetRequired: p.ResetRequired}}, nil
}

type UpdateLoginProfileInput struct {
	UserName              string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Password              string `min:"1" max:"128" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
	PasswordResetRequired *bool
}

// UpdateLoginProfile sets a user's password and/or its reset flag.
func (s *Service) UpdateLoginProfile(ctx context.Context, c *authz.Caller, in *UpdateLoginProfileInput) (*Empty, error) {
	t, err := s.resolve(ctx, c, kindUser, in.UserName, "iam:UpdateLoginProfile", nil)
	if err != nil {
		return nil, err
	}
	p, err := s.st.loginProfile(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, noLoginProfile(t.name)
	}
	reset := p.ResetRequired
	if in.PasswordResetRequired != nil {
		reset = *in.PasswordResetRequired
	}
	if in.Password == "" {
		return &Empty{}, s.st.setResetRequired(ctx, s.st.db, t.id, reset)
	}
	if err := s.checkNewPassword(ctx, s.st.db, c.AccountID, t.id, in.Password); err != nil {
		return nil, err
	}
	return &Empty{}, s.storePassword(ctx, t.id, hashPassword(in.Password), reset)
}

// storePassword replaces a user's password hash and records it.
func (s *Service) storePassword(ctx context.Context, userID, hash string, reset bool) error {
	now := s.clk.Now()
	return s.st.tx(ctx, func(tx *sql.Tx) error {
		if err := s.st.setPassword(ctx, tx, userID, hash, reset, now); err != nil {
			return err
		}
		return s.st.rememberPassword(ctx, tx, userID, hash, now)
	})
}

// DeleteLoginProfile removes a user's console password.
func (s *Service) DeleteLoginProfile(ctx context.Context, c *authz.Caller, in *LoginProfileUserInput) (*Empty, error) {
	t, err := s.loginUser(ctx, c, in.UserName, "iam:DeleteLoginProfile")
	if err != nil {
		return nil, err
	}
	var ok bool
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		ok, err = s.st.deleteLoginProfile(ctx, tx, t.id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noLoginProfile(t.name)
	}
	return &Empty{}, nil
}

type ChangePasswordInput struct {
	OldPassword string `required:"true" min:"1" max:"128" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
	NewPassword string `required:"true" min:"1" max:"128" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
}

// ChangePassword changes the calling IAM user's own password. The user
// needs iam:ChangePassword on itself, which the policy's
// AllowUsersToChangePassword grants every user at the account level (an
// explicit deny still wins).
func (s *Service) ChangePassword(ctx context.Context, c *authz.Caller, in *ChangePasswordInput) (*Empty, error) {
	if c == nil {
		return nil, errorf(AccessDenied, "Request is not authenticated.")
	}
	if c.Type != authz.TypeUser {
		return nil, errorf(InvalidUserType, "Only IAM users can change their own password.")
	}
	u, err := s.st.getEntityByID(ctx, s.st.db, kindUser.name, c.EntityID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, kindUser.noSuch(c.UserName)
	}
	policy, err := s.st.passwordPolicy(ctx, s.st.db, c.AccountID)
	if err != nil {
		return nil, err
	}
	err = s.authorize(ctx, c, "iam:ChangePassword", s.arn.user(u.AccountID, u.Path, u.Name), nil)
	if err != nil && !(policy != nil && policy.AllowChange && implicitDenial(err)) {
		return nil, err
	}
	p, err := s.st.loginProfile(ctx, s.st.db, u.ID)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, noLoginProfile(u.Name)
	}
	if !passwordMatches(p.Hash, in.OldPassword) {
		return nil, errorf(InvalidInput, "The old password is incorrect.")
	}
	if err := s.checkNewPassword(ctx, s.st.db, c.AccountID, u.ID, in.NewPassword); err != nil {
		return nil, err
	}
	return &Empty{}, s.storePassword(ctx, u.ID, hashPassword(in.NewPassword), false)
}

// implicitDenial reports whether err is a policy denial without an
// explicit Deny statement.
func implicitDenial(err error) bool {
	var d *authz.DeniedError
	return errors.As(err, &d) && d.Decision != nil && d.Decision.DecidingDeny == nil
}

// SignIn is what a console sign-in with a password learns.
type SignIn struct {
	Principal authz.Principal
	// ResetRequired: the user must set a new password (ChangePassword)
	// before doing anything else.
	ResetRequired bool
	// Expired: the password is older than the policy's MaxPasswordAge; with
	// HardExpiry the user may not even change it.
	Expired    bool
	HardExpiry bool
}

// VerifyPassword checks an IAM user's console password, for the console's
// sign-in. It returns (nil, nil) when the account, user or login profile
// does not exist or the password is wrong, without saying which.
func (s *Store) VerifyPassword(ctx context.Context, accountID, userName, password string) (*SignIn, error) {
	var hash string
	var p *loginProfileRow
	u, err := s.getEntity(ctx, s.db, kindUser.name, accountID, userName)
	if err != nil {
		return nil, err
	}
	if u != nil {
		if p, err = s.loginProfile(ctx, s.db, u.ID); err != nil {
			return nil, err
		}
	}
	if p != nil {
		hash = p.Hash
	} else {
		hash = decoyHash() // spend the same time whether or not the user exists
	}
	if !passwordMatches(hash, password) || p == nil {
		return nil, nil
	}
	tags, err := s.tags(ctx, s.db, u.ID)
	if err != nil {
		return nil, err
	}
	in := &SignIn{Principal: *s.userPrincipal(u, tags), ResetRequired: p.ResetRequired}
	policy, err := s.passwordPolicy(ctx, s.db, accountID)
	if err != nil {
		return nil, err
	}
	if policy != nil && policy.MaxAge > 0 && s.clk.Now().After(p.ChangedAt.AddDate(0, 0, policy.MaxAge)) {
		in.Expired = true
		in.HardExpiry = policy.HardExpiry != nil && *policy.HardExpiry
	}
	return in, nil
}
