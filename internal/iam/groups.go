package iam

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/authz"
)

const (
	maxGroupsPerAccount = 300
	maxGroupsPerUser    = 10
)

type CreateGroupInput struct {
	Path      string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	GroupName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type CreateGroupOutput struct {
	Group Group
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, c *authz.Caller, in *CreateGroupInput) (*CreateGroupOutput, error) {
	path := normPath(in.Path)
	if err := s.authorize(ctx, c, "iam:CreateGroup", s.arn.group(c.AccountID, path, in.GroupName), nil); err != nil {
		return nil, err
	}
	g := &entity{ID: newUniqueID(prefixGroup), AccountID: c.AccountID, Name: in.GroupName, Path: path, CreatedAt: s.clk.Now()}
	err := s.st.tx(ctx, func(tx *sql.Tx) error {
		return (&newEntity{
			exists: errorf(EntityAlreadyExists, "Group with name %s already exists.", in.GroupName),
			taken:  func() (bool, error) { return s.nameTaken(ctx, tx, "group", c.AccountID, in.GroupName) },
			used: func() (int, error) {
				return s.st.countEntities(ctx, tx, "group", c.AccountID)
			},
			limit: maxGroupsPerAccount, quota: "GroupsPerAccount",
			insert: func() error { return s.st.insertEntity(ctx, tx, "group", g) },
		}).create()
	})
	if err != nil {
		return nil, err
	}
	return &CreateGroupOutput{Group: s.groupShape(g)}, nil
}

type GetGroupInput struct {
	GroupName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker    string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems  *int   `min:"1" max:"1000"`
}

type GetGroupOutput struct {
	Group       Group
	Users       []User
	IsTruncated bool
	Marker      string
}

// GetGroup describes a group and lists its users.
func (s *Service) GetGroup(ctx context.Context, c *authz.Caller, in *GetGroupInput) (*GetGroupOutput, error) {
	t, err := s.resolve(ctx, c, kindGroup, in.GroupName, "iam:GetGroup", nil)
	if err != nil {
		return nil, err
	}
	g, err := s.st.getEntityByID(ctx, s.st.db, "group", t.id)
	if err != nil || g == nil {
		return nil, orNoSuch(err, kindGroup.noSuch(in.GroupName))
	}
	users, err := s.st.usersOfGroup(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	page, marker, trunc, err := paginateAs(users, entityKey, s.listedUser, scopeOf(c, "GetGroup", t.id), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &GetGroupOutput{Group: s.groupShape(g), Users: page, IsTruncated: trunc, Marker: marker}, nil
}

func orNoSuch(err error, notFound error) error {
	if err != nil {
		return err
	}
	return notFound
}

type ListGroupsInput struct {
	PathPrefix string `min:"1" max:"512" pattern:"\\u002F[\\u0021-\\u007F]*"`
	Marker     string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems   *int   `min:"1" max:"1000"`
}

type ListGroupsOutput struct {
	Groups      []Group
	IsTruncated bool
	Marker      string
}

// ListGroups lists the account's groups.
func (s *Service) ListGroups(ctx context.Context, c *authz.Caller, in *ListGroupsInput) (*ListGroupsOutput, error) {
	if err := s.authorize(ctx, c, "iam:ListGroups", "*", nil); err != nil {
		return nil, err
	}
	all, err := s.st.listEntities(ctx, s.st.db, "group", c.AccountID, normPath(in.PathPrefix))
	if err != nil {
		return nil, err
	}
	return s.groupPage(all, scopeOf(c, "ListGroups", normPath(in.PathPrefix)), in.Marker, in.MaxItems)
}

func (s *Service) groupPage(all []*entity, scope pageScope, marker string, maxItems *int) (*ListGroupsOutput, error) {
	groups, next, trunc, err := paginateAs(all, entityKey, s.groupShape, scope, marker, maxItems)
	if err != nil {
		return nil, err
	}
	return &ListGroupsOutput{Groups: groups, IsTruncated: trunc, Marker: next}, nil
}

type ListGroupsForUserInput struct {
	UserName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

// ListGroupsForUser lists the groups a user belongs to.
func (s *Service) ListGroupsForUser(ctx context.Context, c *authz.Caller, in *ListGroupsForUserInput) (*ListGroupsOutput, error) {
	t, err := s.resolve(ctx, c, kindUser, in.UserName, "iam:ListGroupsForUser", nil)
	if err != nil {
		return nil, err
	}
	groups, err := s.st.groupsOfUser(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	return s.groupPage(groups, scopeOf(c, "ListGroupsForUser", lowerKey(in.UserName)), in.Marker, in.MaxItems)
}

type GroupNameInput struct {
	GroupName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

// DeleteGroup deletes a group without members or policies.
func (s *Service) DeleteGroup(ctx context.Context, c *authz.Caller, in *GroupNameInput) (*Empty, error) {
	t, err := s.resolve(ctx, c, kindGroup, in.GroupName, "iam:DeleteGroup", nil)
	if err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		err := s.refuseInUse(ctx, tx, t.id, []inUse{
			{depGroupMembers, "Cannot delete entity, must remove users from group first."},
			{depInlinePolicies, "Cannot delete entity, must delete policies first."},
			{depAttachments, "Cannot delete entity, must detach all policies first."},
		})
		if err != nil {
			return err
		}
		return s.st.deleteEntity(ctx, tx, "group", t.id)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type GroupMemberInput struct {
	GroupName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	UserName  string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

// membership resolves the group (authorizing action on it) and the user a
// membership change names.
func (s *Service) membership(ctx context.Context, c *authz.Caller, in *GroupMemberInput, action string) (g, u *target, err error) {
	if g, err = s.resolve(ctx, c, kindGroup, in.GroupName, action, nil); err != nil {
		return nil, nil, err
	}
	if u, err = s.lookupTarget(ctx, c.AccountID, kindUser, in.UserName); err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, kindUser.noSuch(in.UserName)
	}
	return g, u, nil
}

// AddUserToGroup adds a user to a group (a no-op when already a member).
func (s *Service) AddUserToGroup(ctx context.Context, c *authz.Caller, in *GroupMemberInput) (*Empty, error) {
	g, u, err := s.membership(ctx, c, in, "iam:AddUserToGroup")
	if err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		groups, err := s.st.groupsOfUser(ctx, tx, u.id)
		if err != nil {
			return err
		}
		for _, x := range groups {
			if x.ID == g.id {
				return nil
			}
		}
		if len(groups) >= maxGroupsPerUser {
			return errorf(LimitExceeded, "Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
		}
		return s.st.addMember(ctx, tx, g.id, u.id)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// RemoveUserFromGroup removes a user from a group.
func (s *Service) RemoveUserFromGroup(ctx context.Context, c *authz.Caller, in *GroupMemberInput) (*Empty, error) {
	g, u, err := s.membership(ctx, c, in, "iam:RemoveUserFromGroup")
	if err != nil {
		return nil, err
	}
	ok, err := s.st.removeMember(ctx, s.st.db, g.id, u.id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(NoSuchEntity, "User %s is not in group %s.", u.name, g.name)
	}
	return &Empty{}, nil
}
