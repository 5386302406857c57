package iam

import (
	"context"
	"database/sql"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

const (
	maxInstanceProfilesPerAccount = 1000
	prefixInstanceProfile         = "AIPA"
)

var kindInstanceProfile = &entityKind{name: "instance-profile", action: "InstanceProfile", notFound: "Instance Profile %s cannot be found."}

// InstanceProfile is the IAM API's InstanceProfile shape.
type InstanceProfile struct {
	Path                string
	InstanceProfileName string
	InstanceProfileId   string
	Arn                 string
	CreateDate          time.Time
	Roles               []Role
	Tags                []Tag
}

type CreateInstanceProfileInput struct {
	InstanceProfileName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Path                string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	Tags                []Tag  `max:"50"`
}

type InstanceProfileOutput struct {
	InstanceProfile InstanceProfile
}

// CreateInstanceProfile creates an empty instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, c *authz.Caller, in *CreateInstanceProfileInput) (*InstanceProfileOutput, error) {
	path := normPath(in.Path)
	if err := s.authorize(ctx, c, "iam:CreateInstanceProfile", kindInstanceProfile.arn(s.arn, c.AccountID, path, in.InstanceProfileName), tagContext(in.Tags)); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	p := &entity{ID: newUniqueID(prefixInstanceProfile), AccountID: c.AccountID, Name: in.InstanceProfileName, Path: path, CreatedAt: s.clk.Now()}
	kind := kindInstanceProfile.name
	err := s.st.tx(ctx, func(tx *sql.Tx) error {
		err := (&newEntity{
			exists: errorf(EntityAlreadyExists, "Instance Profile %s already exists.", in.InstanceProfileName),
			taken:  func() (bool, error) { return s.nameTaken(ctx, tx, kind, c.AccountID, in.InstanceProfileName) },
			used:   func() (int, error) { return s.st.countEntities(ctx, tx, kind, c.AccountID) },
			limit:  maxInstanceProfilesPerAccount, quota: "InstanceProfilesPerAccount",
			insert: func() error { return s.st.insertEntity(ctx, tx, kind, p) },
		}).create()
		if err != nil {
			return err
		}
		return s.st.putTags(ctx, tx, p.ID, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &InstanceProfileOutput{InstanceProfile: s.profileShape(p, nil, in.Tags)}, nil
}

type InstanceProfileNameInput struct {
	InstanceProfileName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

// GetInstanceProfile describes a profile with its role and tags.
func (s *Service) GetInstanceProfile(ctx context.Context, c *authz.Caller, in *InstanceProfileNameInput) (*InstanceProfileOutput, error) {
	t, err := s.resolve(ctx, c, kindInstanceProfile, in.InstanceProfileName, "iam:GetInstanceProfile", nil)
	if err != nil {
		return nil, err
	}
	p, err := s.st.getEntityByID(ctx, s.st.db, kindInstanceProfile.name, t.id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, kindInstanceProfile.noSuch(in.InstanceProfileName)
	}
	roles, err := s.rolesOf(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	tags, err := s.st.tags(ctx, s.st.db, p.ID)
	if err != nil {
		return nil, err
	}
	return &InstanceProfileOutput{InstanceProfile: s.profileShape(p, roles, nonNil(tags))}, nil
}

// DeleteInstanceProfile deletes a profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, c *authz.Caller, in *InstanceProfileNameInput) (*Empty, error) {
	t, err := s.resolve(ctx, c, kindInstanceProfile, in.InstanceProfileName, "iam:DeleteInstanceProfile", nil)
	if err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if role, err := s.st.profileRole(ctx, tx, t.id); err != nil {
			return err
		} else if role != "" {
			return errorf(DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
		}
		return s.st.deleteEntity(ctx, tx, kindInstanceProfile.name, t.id)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type ProfileRoleInput struct {
	InstanceProfileName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	RoleName            string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

// AddRoleToInstanceProfile puts a role into a profile; a profile holds one
// role at most. The caller must also be allowed iam:PassRole on the role.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, c *authz.Caller, in *ProfileRoleInput) (*Empty, error) {
	p, err := s.resolve(ctx, c, kindInstanceProfile, in.InstanceProfileName, "iam:AddRoleToInstanceProfile", nil)
	if err != nil {
		return nil, err
	}
	r, err := s.resolve(ctx, c, kindRole, in.RoleName, "iam:PassRole", nil)
	if err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		ok, err := s.st.setProfileRole(ctx, tx, p.id, "", r.id)
		if err != nil {
			return err
		}
		if !ok {
			return errorf(LimitExceeded, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// RemoveRoleFromInstanceProfile takes the role out of a profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, c *authz.Caller, in *ProfileRoleInput) (*Empty, error) {
	p, err := s.resolve(ctx, c, kindInstanceProfile, in.InstanceProfileName, "iam:RemoveRoleFromInstanceProfile", nil)
	if err != nil {
		return nil, err
	}
	r, err := s.lookupTarget(ctx, c.AccountID, kindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, kindRole.noSuch(in.RoleName)
	}
	ok, err := s.st.setProfileRole(ctx, s.st.db, p.id, r.id, "")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(NoSuchEntity, "Role %s in Instance Profile %s cannot be found.", r.name, p.name)
	}
	return &Empty{}, nil
}

type ListInstanceProfilesInput struct {
	PathPrefix string `min:"1" max:"512" pattern:"\\u002F[\\u0021-\\u007F]*"`
	Marker     string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems   *int   `min:"1" max:"1000"`
}

type ListInstanceProfilesOutput struct {
	InstanceProfiles []InstanceProfile
	IsTruncated      bool
	Marker           string
}

// ListInstanceProfiles lists the account's profiles under PathPrefix, each
// with its role.
func (s *Service) ListInstanceProfiles(ctx context.Context, c *authz.Caller, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
	if err := s.authorize(ctx, c, "iam:ListInstanceProfiles", "*", nil); err != nil {
		return nil, err
	}
	prefix := normPath(in.PathPrefix)
	all, err := s.st.listEntities(ctx, s.st.db, kindInstanceProfile.name, c.AccountID, prefix)
	if err != nil {
		return nil, err
	}
	page, marker, trunc, err := paginate(all, entityKey, scopeOf(c, "ListInstanceProfiles", prefix), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out, err := s.profileShapes(ctx, page)
	if err != nil {
		return nil, err
	}
	return &ListInstanceProfilesOutput{InstanceProfiles: out, IsTruncated: trunc, Marker: marker}, nil
}

type ListInstanceProfilesForRoleInput struct {
	RoleName string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

// ListInstanceProfilesForRole lists the profiles that hold the role.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, c *authz.Caller, in *ListInstanceProfilesForRoleInput) (*ListInstanceProfilesOutput, error) {
	r, err := s.resolve(ctx, c, kindRole, in.RoleName, "iam:ListInstanceProfilesForRole", nil)
	if err != nil {
		return nil, err
	}
	all, err := s.st.profilesOfRole(ctx, s.st.db, r.id)
	if err != nil {
		return nil, err
	}
	page, marker, trunc, err := paginate(all, entityKey, scopeOf(c, "ListInstanceProfilesForRole", r.id), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out, err := s.profileShapes(ctx, page)
	if err != nil {
		return nil, err
	}
	return &ListInstanceProfilesOutput{InstanceProfiles: out, IsTruncated: trunc, Marker: marker}, nil
}

type TagInstanceProfileInput struct {
	InstanceProfileName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Tags                []Tag  `required:"true" max:"50"`
}

func (s *Service) TagInstanceProfile(ctx context.Context, c *authz.Caller, in *TagInstanceProfileInput) (*Empty, error) {
	return &Empty{}, s.tagEntity(ctx, c, kindInstanceProfile, in.InstanceProfileName, in.Tags)
}

type UntagInstanceProfileInput struct {
	InstanceProfileName string   `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	TagKeys             []string `required:"true" max:"50"`
}

func (s *Service) UntagInstanceProfile(ctx context.Context, c *authz.Caller, in *UntagInstanceProfileInput) (*Empty, error) {
	return &Empty{}, s.untagEntity(ctx, c, kindInstanceProfile, in.InstanceProfileName, in.TagKeys)
}

type ListInstanceProfileTagsInput struct {
	InstanceProfileName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker              string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems            *int   `min:"1" max:"1000"`
}

func (s *Service) ListInstanceProfileTags(ctx context.Context, c *authz.Caller, in *ListInstanceProfileTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, kindInstanceProfile, in.InstanceProfileName, in.Marker, in.MaxItems)
}

// rolesOf returns the role of profile id as the Roles list (never nil).
func (s *Service) rolesOf(ctx context.Context, id string) ([]Role, error) {
	roleID, err := s.st.profileRole(ctx, s.st.db, id)
	if err != nil {
		return nil, err
	}
	return s.roleList(ctx, roleID)
}

func (s *Service) roleList(ctx context.Context, roleID string) ([]Role, error) {
	roles := []Role{}
	if roleID == "" {
		return roles, nil
	}
	r, err := s.st.getRoleByID(ctx, s.st.db, roleID)
	if err != nil || r == nil {
		return roles, err
	}
	return append(roles, s.profileRoleShape(r)), nil
}

// profileShapes shapes a page of profiles with their roles.
func (s *Service) profileShapes(ctx context.Context, page []*entity) ([]InstanceProfile, error) {
	out := make([]InstanceProfile, 0, len(page))
	if len(page) == 0 {
		return out, nil
	}
	held, err := s.st.profileRoles(ctx, s.st.db, page[0].AccountID)
	if err != nil {
		return nil, err
	}
	for _, p := range page {
		roles, err := s.roleList(ctx, held[p.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, s.profileShape(p, roles, nil))
	}
	return out, nil
}

func (s *Service) profileShape(p *entity, roles []Role, tags []Tag) InstanceProfile {
	if roles == nil {
		roles = []Role{}
	}
	return InstanceProfile{
		Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ID,
		Arn: kindInstanceProfile.arn(s.arn, p.AccountID, p.Path, p.Name), CreateDate: p.CreatedAt, Roles: roles, Tags: tags,
	}
}

// profileRoleShape is a role as instance profiles show it: no tags, no
// maximum session duration.
func (s *Service) profileRoleShape(r *roleRow) Role {
	role := s.roleShape(r, nil)
	role.MaxSessionDuration = nil
	return role
}
