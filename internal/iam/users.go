package iam

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/authz"
)

const maxUsersPerAccount = 5000

type CreateUserInput struct {
	Path                string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	UserName            string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PermissionsBoundary string `min:"20" max:"2048"`
	Tags                []Tag  `max:"50"`
}

type CreateUserOutput struct {
	User User
}

// CreateUser creates an IAM user.
func (s *Service) CreateUser(ctx context.Context, c *authz.Caller, in *CreateUserInput) (*CreateUserOutput, error) {
	path := normPath(in.Path)
	if err := s.authorize(ctx, c, "iam:CreateUser", s.arn.user(c.AccountID, path, in.UserName), boundaryContext(tagContext(in.Tags), in.PermissionsBoundary)); err != nil {
		return nil, err
	}
	if in.PermissionsBoundary != "" {
		if err := s.checkBoundary(ctx, c.AccountID, in.PermissionsBoundary); err != nil {
			return nil, err
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	u := &entity{ID: newUniqueID(prefixUser), AccountID: c.AccountID, Name: in.UserName, Path: path, CreatedAt: s.clk.Now()}
	err := s.st.tx(ctx, func(tx *sql.Tx) error {
		err := (&newEntity{
			exists: errorf(EntityAlreadyExists, "User with name %s already exists.", in.UserName),
			taken:  func() (bool, error) { return s.nameTaken(ctx, tx, "user", c.AccountID, in.UserName) },
			used: func() (int, error) {
				return s.st.countEntities(ctx, tx, "user", c.AccountID)
			},
			limit: maxUsersPerAccount, quota: "UsersPerAccount",
			insert: func() error { return s.st.insertEntity(ctx, tx, "user", u) },
		}).create()
		if err != nil {
			return err
		}
		if in.PermissionsBoundary != "" {
			if err := s.st.setBoundary(ctx, tx, "user", u.ID, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		return s.st.putTags(ctx, tx, u.ID, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &CreateUserOutput{User: s.userWithBoundary(u, in.Tags, in.PermissionsBoundary)}, nil
}

type GetUserInput struct {
	UserName string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type GetUserOutput struct {
	User User
}

// GetUser describes the named user, or the caller when no name is given
// (for the root: its account ID and root ARN).
func (s *Service) GetUser(ctx context.Context, c *authz.Caller, in *GetUserInput) (*GetUserOutput, error) {
	t, err := s.selfOrUser(ctx, c, in.UserName, "iam:GetUser")
	if err != nil {
		return nil, err
	}
	if t == nil {
		a, err := s.st.getAccount(ctx, s.st.db, c.AccountID)
		if err != nil {
			return nil, err
		}
		u := User{UserId: c.AccountID, Arn: s.arn.root(c.AccountID)}
		if a != nil {
			u.CreateDate = a.CreatedAt
		}
		return &GetUserOutput{User: u}, nil
	}
	tags, err := s.st.tags(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	boundary, err := s.st.boundaryOf(ctx, s.st.db, "user", t.id)
	if err != nil {
		return nil, err
	}
	return &GetUserOutput{User: s.userWithBoundary(t.user, tags, boundary)}, nil
}

type ListUsersInput struct {
	PathPrefix string `min:"1" max:"512" pattern:"\\u002F[\\u0021-\\u007F]*"`
	Marker     string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems   *int   `min:"1" max:"1000"`
}

type ListUsersOutput struct {
	Users       []User
	IsTruncated bool
	Marker      string
}

// ListUsers lists the account's users whose path starts with PathPrefix.
func (s *Service) ListUsers(ctx context.Context, c *authz.Caller, in *ListUsersInput) (*ListUsersOutput, error) {
	if err := s.authorize(ctx, c, "iam:ListUsers", "*", nil); err != nil {
		return nil, err
	}
	all, err := s.st.listEntities(ctx, s.st.db, "user", c.AccountID, normPath(in.PathPrefix))
	if err != nil {
		return nil, err
	}
	users, marker, trunc, err := paginateAs(all, entityKey, s.listedUser, scopeOf(c, "ListUsers", normPath(in.PathPrefix)), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListUsersOutput{Users: users, IsTruncated: trunc, Marker: marker}, nil
}

type UpdateUserInput struct {
	UserName    string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	NewPath     string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	NewUserName string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

// UpdateUser renames a user or changes its path.
func (s *Service) UpdateUser(ctx context.Context, c *authz.Caller, in *UpdateUserInput) (*Empty, error) {
	t, err := s.resolve(ctx, c, kindUser, in.UserName, "iam:UpdateUser", nil)
	if err != nil {
		return nil, err
	}
	name, path := t.name, t.path
	if in.NewUserName != "" {
		name = in.NewUserName
	}
	if in.NewPath != "" {
		path = in.NewPath
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if lowerKey(name) != lowerKey(t.name) {
			if taken, err := s.nameTaken(ctx, tx, "user", c.AccountID, name); err != nil {
				return err
			} else if taken {
				return errorf(EntityAlreadyExists, "User with name %s already exists.", name)
			}
		}
		return s.st.updateEntity(ctx, tx, "user", t.id, name, path)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type DeleteUserInput struct {
	UserName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

// DeleteUser deletes a user that has no credentials, policies or groups left.
func (s *Service) DeleteUser(ctx context.Context, c *authz.Caller, in *DeleteUserInput) (*Empty, error) {
	t, err := s.resolve(ctx, c, kindUser, in.UserName, "iam:DeleteUser", nil)
	if err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		err := s.refuseInUse(ctx, tx, t.id, []inUse{
			{depLoginProfile, "Cannot delete entity, must delete login profile first."},
			{depAccessKeys, "Cannot delete entity, must delete access keys first."},
			{depSigningCerts, "Cannot delete entity, must delete signing certificates first."},
			{depSSHKeys, "Cannot delete entity, must delete SSH public keys first."},
			{depServiceCreds, "Cannot delete entity, must delete service-specific credentials first."},
			{depInlinePolicies, "Cannot delete entity, must delete policies first."},
			{depAttachments, "Cannot delete entity, must detach all policies first."},
			{depGroups, "Cannot delete entity, must remove users from group first."},
			{depMFADevices, "Cannot delete entity, must delete MFA device first."},
		})
		if err != nil {
			return err
		}
		if err := s.st.deleteUserSessions(ctx, tx, t.id); err != nil {
			return err
		}
		return s.st.deleteEntity(ctx, tx, "user", t.id)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}
