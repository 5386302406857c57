package pca

import (
	"context"
	"sort"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

const maxTags = 50

// tagContext checks tags (no aws: prefix, no duplicate keys) and returns
// them as a map with the aws:RequestTag/* and aws:TagKeys context keys.
func tagContext(tags []Tag) (map[string]string, map[string][]string, error) {
	if len(tags) == 0 {
		return nil, nil, nil
	}
	m := make(map[string]string, len(tags))
	ctx := map[string][]string{}
	var keys []string
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, nil, errf(ErrInvalidTag, "Tag keys may not start with the reserved prefix aws:.")
		}
		if _, dup := m[t.Key]; dup {
			return nil, nil, errf(ErrInvalidTag, "The tag key %s is given more than once.", t.Key)
		}
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		m[t.Key] = v
		ctx["aws:RequestTag/"+t.Key] = []string{v}
		keys = append(keys, t.Key)
	}
	ctx["aws:TagKeys"] = keys
	return m, ctx, nil
}

// taggable loads a CA for a tag operation: any state but DELETED.
func (s *Service) taggable(ctx context.Context, caller *authz.Caller, op, arn string, reqCtx map[string][]string) (*caRow, error) {
	ca, err := s.findCAFresh(ctx, caller, op, arn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, op, ca, reqCtx); err != nil {
		return nil, err
	}
	if ca.Status == statusDeleted {
		return nil, wrongState(ca.ARN, "be tagged")
	}
	return ca, nil
}

// TagCertificateAuthority adds or replaces tags; more than 50 in total is
// TooManyTagsException.
func (s *Service) TagCertificateAuthority(ctx context.Context, caller *authz.Caller, in *TagCertificateAuthorityInput) (*Empty, error) {
	tags, reqCtx, err := tagContext(in.Tags)
	if err != nil {
		return nil, err
	}
	ca, err := s.taggable(ctx, caller, "TagCertificateAuthority", in.CertificateAuthorityArn, reqCtx)
	if err != nil {
		return nil, err
	}
	if err := s.setTags(ctx, ca.ID, tags, maxTags); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// UntagCertificateAuthority removes tags: one given without Value goes
// whatever its value, one with a Value only when it matches.
func (s *Service) UntagCertificateAuthority(ctx context.Context, caller *authz.Caller, in *UntagCertificateAuthorityInput) (*Empty, error) {
	keys := make([]string, 0, len(in.Tags))
	for _, t := range in.Tags {
		keys = append(keys, t.Key)
	}
	ca, err := s.taggable(ctx, caller, "UntagCertificateAuthority", in.CertificateAuthorityArn, map[string][]string{"aws:TagKeys": keys})
	if err != nil {
		return nil, err
	}
	if err := s.removeTags(ctx, ca.ID, in.Tags); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListTags lists a CA's tags sorted by key, paginated.
func (s *Service) ListTags(ctx context.Context, caller *authz.Caller, in *ListTagsInput) (*ListTagsOutput, error) {
	ca, err := s.findCA(ctx, caller, "ListTags", in.CertificateAuthorityArn)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, caller, "ListTags", ca, nil); err != nil {
		return nil, err
	}
	scope := "tags\x00" + ca.ID
	offset, err := s.parseToken(scope, in.NextToken)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(ca.Tags))
	for k := range ca.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &ListTagsOutput{Tags: []Tag{}}
	limit := pageSize(in.MaxResults, 1000)
	if offset > len(keys) {
		offset = len(keys)
	}
	end := min(offset+limit, len(keys))
	for _, k := range keys[offset:end] {
		v := ca.Tags[k]
		out.Tags = append(out.Tags, Tag{Key: k, Value: &v})
	}
	if end < len(keys) {
		out.NextToken = s.makeToken(scope, end)
	}
	return out, nil
}
