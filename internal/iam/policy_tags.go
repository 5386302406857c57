package iam

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

// taggedPolicy authorizes action on a customer-managed policy with the
// request's tag context and returns it; AWS-managed policies carry no tags.
func (s *Service) taggedPolicy(ctx context.Context, c *authz.Caller, action, arn string, extra map[string][]string) (*policyRow, error) {
	if err := s.authorize(ctx, c, action, arn, extra); err != nil {
		return nil, err
	}
	ref, err := s.findPolicy(ctx, c.AccountID, arn)
	if err != nil {
		return nil, err
	}
	if err := ref.localOnly(); err != nil {
		return nil, err
	}
	return ref.row, nil
}

type TagPolicyInput struct {
	PolicyArn string `required:"true" min:"20" max:"2048"`
	Tags      []Tag  `required:"true" max:"50"`
}

// TagPolicy adds or overwrites tags on a customer-managed policy.
func (s *Service) TagPolicy(ctx context.Context, c *authz.Caller, in *TagPolicyInput) (*Empty, error) {
	p, err := s.taggedPolicy(ctx, c, "iam:TagPolicy", in.PolicyArn, tagContext(in.Tags))
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.addTags(ctx, p.ID, in.Tags)
}

type UntagPolicyInput struct {
	PolicyArn string   `required:"true" min:"20" max:"2048"`
	TagKeys   []string `required:"true" max:"50"`
}

// UntagPolicy removes tags from a customer-managed policy; absent keys are
// no error, as in AWS.
func (s *Service) UntagPolicy(ctx context.Context, c *authz.Caller, in *UntagPolicyInput) (*Empty, error) {
	p, err := s.taggedPolicy(ctx, c, "iam:UntagPolicy", in.PolicyArn, map[string][]string{"aws:TagKeys": in.TagKeys})
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.st.deleteTags(ctx, s.st.db, p.ID, in.TagKeys)
}

type ListPolicyTagsInput struct {
	PolicyArn string `required:"true" min:"20" max:"2048"`
	Marker    string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems  *int   `min:"1" max:"1000"`
}

// ListPolicyTags lists a customer-managed policy's tags, a page at a time.
func (s *Service) ListPolicyTags(ctx context.Context, c *authz.Caller, in *ListPolicyTagsInput) (*ListTagsOutput, error) {
	p, err := s.taggedPolicy(ctx, c, "iam:ListPolicyTags", in.PolicyArn, nil)
	if err != nil {
		return nil, err
	}
	return s.tagPage(ctx, c, "ListPolicyTags", p.ID, in.Marker, in.MaxItems)
}

// policyTags are a local policy's tags for GetPolicy and CreatePolicy;
// AWS-managed policies have none.
func (s *Service) policyTags(ctx context.Context, ref *managedRef) ([]Tag, error) {
	if ref.aws != nil {
		return nil, nil
	}
	tags, err := s.st.tags(ctx, s.st.db, ref.row.ID)
	if len(tags) == 0 {
		return nil, err
	}
	return tags, err
}
