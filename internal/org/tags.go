package org

import (
	"context"
	"database/sql"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

const maxTags = 50

// tagContext gives aws:RequestTag/* and aws:TagKeys for a request with tags.
func tagContext(tags []Tag) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	ctx := map[string][]string{}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		ctx["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	ctx["aws:TagKeys"] = keys
	return ctx
}

// checkTags refuses duplicate keys, aws: keys and too many tags.
func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return reasonf(ConstraintViolation, "MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the maximum number of tags allowed on this resource.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[t.Key] {
			return reasonf(InvalidInput, "DUPLICATE_TAG_KEY", "Tag keys must be unique among the tags attached to the same entity.")
		}
		seen[t.Key] = true
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return reasonf(InvalidInput, "INVALID_SYSTEM_TAGS_PARAMETER", "You provided a value that does not match the required pattern.")
		}
	}
	return nil
}

// target is a root, OU, account or policy of the organization.
type target struct {
	ID, Type, Name, ARN string
	policy              *policyRow // set for policies
}

// resolveTarget finds id in org: a root, OU, member account or (when
// policies is set) a customer policy. nil when it is none of them.
func (s *Service) resolveTarget(ctx context.Context, q querier, o *orgRow, id string, policies bool) (*target, error) {
	switch {
	case strings.HasPrefix(id, "r-"), strings.HasPrefix(id, "ou-"):
		u, err := s.st.getUnit(ctx, q, o.ID, id)
		if err != nil || u == nil {
			return nil, err
		}
		return &target{ID: u.ID, Type: unitType(u.ID), Name: u.Name, ARN: s.arn.unit(o, u.ID)}, nil
	case strings.HasPrefix(id, "p-"):
		if !policies {
			return nil, nil
		}
		p, err := s.st.getPolicy(ctx, q, o.ID, id)
		if err != nil || p == nil || p.AWSManaged {
			return nil, err
		}
		return &target{ID: p.ID, Type: "POLICY", Name: p.Name, ARN: s.arn.policy(o, p), policy: p}, nil
	}
	m, err := s.st.getMember(ctx, q, id)
	if err != nil || m == nil || m.OrgID != o.ID {
		return nil, err
	}
	name := ""
	if a, err := s.iam.LookupAccount(ctx, id); err != nil {
		return nil, err
	} else if a != nil {
		name = a.Name
	}
	return &target{ID: id, Type: "ACCOUNT", Name: name, ARN: s.arn.account(o, id)}, nil
}

type TagResourceInput struct {
	ResourceId string `required:"true" max:"130" pattern:"^(r-[0-9a-z]{4,32})|(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})|(^p-[0-9a-zA-Z_]{8,128})|(^rp-[0-9a-zA-Z_]{4,128})$"`
	Tags       []Tag  `required:"true"`
}

// taggable authorizes action on a resource and resolves it.
func (s *Service) taggable(ctx context.Context, c *authz.Caller, action, id string, extra map[string][]string) (*session, *target, error) {
	var t *target
	var lookupErr error
	ss, err := s.begin(ctx, c, action, management, func(o *orgRow) string {
		if t, lookupErr = s.resolveTarget(ctx, s.st.db, o, id, true); lookupErr != nil || t == nil {
			return "*"
		}
		return t.ARN
	}, extra)
	if err != nil {
		return nil, nil, err
	}
	if lookupErr != nil {
		return nil, nil, lookupErr
	}
	if t == nil {
		return nil, nil, errTargetNotFound(id)
	}
	return ss, t, nil
}

// TagResource adds or replaces tags on a root, OU, account or policy.
func (s *Service) TagResource(ctx context.Context, c *authz.Caller, in *TagResourceInput) (*Empty, error) {
	ss, t, err := s.taggable(ctx, c, "organizations:TagResource", in.ResourceId, tagContext(in.Tags))
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		have, err := s.st.tags(ctx, tx, ss.org.ID, t.ID)
		if err != nil {
			return err
		}
		keys := map[string]bool{}
		for _, h := range have {
			keys[h.Key] = true
		}
		for _, n := range in.Tags {
			keys[n.Key] = true
		}
		if len(keys) > maxTags {
			return reasonf(ConstraintViolation, "MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the maximum number of tags allowed on this resource.")
		}
		return s.st.putTags(ctx, tx, ss.org.ID, t.ID, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type UntagResourceInput struct {
	ResourceId string   `required:"true" max:"130" pattern:"^(r-[0-9a-z]{4,32})|(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})|(^p-[0-9a-zA-Z_]{8,128})|(^rp-[0-9a-zA-Z_]{4,128})$"`
	TagKeys    []string `required:"true"`
}

// UntagResource removes tags by key; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, c *authz.Caller, in *UntagResourceInput) (*Empty, error) {
	ss, t, err := s.taggable(ctx, c, "organizations:UntagResource", in.ResourceId, map[string][]string{"aws:TagKeys": in.TagKeys})
	if err != nil {
		return nil, err
	}
	if err := s.st.deleteTags(ctx, s.st.db, ss.org.ID, t.ID, in.TagKeys); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type ListTagsForResourceInput struct {
	ResourceId string `required:"true" max:"130" pattern:"^(r-[0-9a-z]{4,32})|(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})|(^p-[0-9a-zA-Z_]{8,128})|(^rp-[0-9a-zA-Z_]{4,128})$"`
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
}

type ListTagsForResourceOutput struct {
	Tags      []Tag
	NextToken string `json:",omitempty"`
}

// ListTagsForResource lists a resource's tags.
func (s *Service) ListTagsForResource(ctx context.Context, c *authz.Caller, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	ss, t, err := s.taggable(ctx, c, "organizations:ListTagsForResource", in.ResourceId, nil)
	if err != nil {
		return nil, err
	}
	tags, err := s.st.tags(ctx, s.st.db, ss.org.ID, t.ID)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(tags, func(t Tag) string { return t.Key }, ss.scope("ListTags", t.ID), in.NextToken, nil)
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: page, NextToken: next}, nil
}
