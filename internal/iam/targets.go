package iam

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

// target is a user, group or role an operation names.
type target struct {
	kind string // "user", "group", "role"
	id   string
	name string
	path string
	arn  string
	user *entity
	role *roleRow
}

// resolve finds the named entity in the caller's account and authorizes
// action on it. Authorization comes first, so a caller without permission
// cannot probe which names exist.
func (s *Service) resolve(ctx context.Context, c *authz.Caller, kind, name, action string, extra map[string][]string) (*target, error) {
	if c == nil {
		return nil, errorf(AccessDenied, "Request is not authenticated.")
	}
	t, err := s.lookupTarget(ctx, c.AccountID, kind, name)
	if err != nil {
		return nil, err
	}
	arn := s.arn.entity(c.AccountID, kind, "/", name)
	if t != nil {
		arn = t.arn
	}
	if err := s.authorize(ctx, c, action, arn, extra); err != nil {
		return nil, err
	}
	if t == nil {
		switch kind {
		case "user":
			return nil, noSuchUser(name)
		case "group":
			return nil, noSuchGroup(name)
		default:
			return nil, noSuchRole(name)
		}
	}
	return t, nil
}

// lookupTarget finds an entity by kind and name; nil when absent.
func (s *Service) lookupTarget(ctx context.Context, acct, kind, name string) (*target, error) {
	if kind == "role" {
		r, err := s.st.getRole(ctx, s.st.db, acct, name)
		if err != nil || r == nil {
			return nil, err
		}
		return &target{kind: kind, id: r.ID, name: r.Name, path: r.Path, arn: s.arn.role(acct, r.Path, r.Name), role: r}, nil
	}
	e, err := s.st.getEntity(ctx, s.st.db, kind, acct, name)
	if err != nil || e == nil {
		return nil, err
	}
	t := &target{kind: kind, id: e.ID, name: e.Name, path: e.Path, arn: s.arn.entity(acct, kind, e.Path, e.Name)}
	if kind == "user" {
		t.user = e
	}
	return t, nil
}

// selfOrUser resolves an optional UserName: empty means the calling user,
// or the root itself (nil target, nil error) for the root.
func (s *Service) selfOrUser(ctx context.Context, c *authz.Caller, name, action string) (*target, error) {
	if name != "" {
		return s.resolve(ctx, c, "user", name, action, nil)
	}
	if c == nil {
		return nil, errorf(AccessDenied, "Request is not authenticated.")
	}
	switch c.Type {
	case authz.TypeAccount:
		if err := s.authorize(ctx, c, action, s.arn.root(c.AccountID), nil); err != nil {
			return nil, err
		}
		return nil, nil
	case authz.TypeUser:
		u, err := s.st.getEntityByID(ctx, s.st.db, "user", c.EntityID)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, noSuchUser(c.UserName)
		}
		return s.resolve(ctx, c, "user", u.Name, action, nil)
	}
	return nil, errorf(ValidationError, "Must specify userName when calling with non-User credentials")
}

// tagContext is the aws:RequestTag/* and aws:TagKeys context of tags.
func tagContext(tags []Tag) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	m := map[string][]string{}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		m["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	m["aws:TagKeys"] = keys
	return m
}

// checkTags rejects duplicate keys (case-insensitive) and more than 50 tags.
func checkTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		k := lowerKey(t.Key)
		if seen[k] {
			return errorf(InvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	return nil
}
