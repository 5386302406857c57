package iam

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/authz"
)

const maxTagsPerEntity = 50

func (s *Service) tagEntity(ctx context.Context, c *authz.Caller, k *entityKind, name string, tags []Tag) error {
	t, err := s.resolve(ctx, c, k, name, k.act("Tag", ""), tagContext(tags))
	if err != nil {
		return err
	}
	return s.addTags(ctx, t.id, tags)
}

// addTags validates tags and adds them to id's within the quota.
func (s *Service) addTags(ctx context.Context, id string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.st.tx(ctx, func(tx *sql.Tx) error {
		existing, err := s.st.tags(ctx, tx, id)
		if err != nil {
			return err
		}
		keys := map[string]bool{}
		for _, x := range existing {
			keys[lowerKey(x.Key)] = true
		}
		for _, x := range tags {
			keys[lowerKey(x.Key)] = true
		}
		if len(keys) > maxTagsPerEntity {
			return errorf(LimitExceeded, "The number of tags has reached the maximum limit.")
		}
		return s.st.putTags(ctx, tx, id, tags)
	})
}

func (s *Service) untagEntity(ctx context.Context, c *authz.Caller, k *entityKind, name string, keys []string) error {
	t, err := s.resolve(ctx, c, k, name, k.act("Untag", ""), map[string][]string{"aws:TagKeys": keys})
	if err != nil {
		return err
	}
	return s.st.deleteTags(ctx, s.st.db, t.id, keys)
}

func (s *Service) listTags(ctx context.Context, c *authz.Caller, k *entityKind, name, marker string, maxItems *int) (*ListTagsOutput, error) {
	t, err := s.resolve(ctx, c, k, name, k.act("List", "Tags"), nil)
	if err != nil {
		return nil, err
	}
	return s.tagPage(ctx, c, k.act("List", "Tags"), t.id, marker, maxItems)
}

// tagPage is one page of id's tags.
func (s *Service) tagPage(ctx context.Context, c *authz.Caller, op, id, marker string, maxItems *int) (*ListTagsOutput, error) {
	tags, err := s.st.tags(ctx, s.st.db, id)
	if err != nil {
		return nil, err
	}
	page, next, trunc, err := paginate(tags, func(x Tag) string { return lowerKey(x.Key) }, scopeOf(c, op, id), marker, maxItems)
	if err != nil {
		return nil, err
	}
	return &ListTagsOutput{Tags: nonNil(page), IsTruncated: trunc, Marker: next}, nil
}

// ListTagsOutput is the output of ListUserTags and ListRoleTags.
type ListTagsOutput struct {
	Tags        []Tag
	IsTruncated bool
	Marker      string
}

type TagUserInput struct {
	UserName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Tags     []Tag  `required:"true" max:"50"`
}

func (s *Service) TagUser(ctx context.Context, c *authz.Caller, in *TagUserInput) (*Empty, error) {
	return &Empty{}, s.tagEntity(ctx, c, kindUser, in.UserName, in.Tags)
}

type UntagUserInput struct {
	UserName string   `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	TagKeys  []string `required:"true" max:"50"`
}

func (s *Service) UntagUser(ctx context.Context, c *authz.Caller, in *UntagUserInput) (*Empty, error) {
	return &Empty{}, s.untagEntity(ctx, c, kindUser, in.UserName, in.TagKeys)
}

type ListUserTagsInput struct {
	UserName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

func (s *Service) ListUserTags(ctx context.Context, c *authz.Caller, in *ListUserTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, kindUser, in.UserName, in.Marker, in.MaxItems)
}

type TagRoleInput struct {
	RoleName string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Tags     []Tag  `required:"true" max:"50"`
}

func (s *Service) TagRole(ctx context.Context, c *authz.Caller, in *TagRoleInput) (*Empty, error) {
	return &Empty{}, s.tagEntity(ctx, c, kindRole, in.RoleName, in.Tags)
}

type UntagRoleInput struct {
	RoleName string   `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	TagKeys  []string `required:"true" max:"50"`
}

func (s *Service) UntagRole(ctx context.Context, c *authz.Caller, in *UntagRoleInput) (*Empty, error) {
	return &Empty{}, s.untagEntity(ctx, c, kindRole, in.RoleName, in.TagKeys)
}

type ListRoleTagsInput struct {
	RoleName string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

func (s *Service) ListRoleTags(ctx context.Context, c *authz.Caller, in *ListRoleTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, kindRole, in.RoleName, in.Marker, in.MaxItems)
}
