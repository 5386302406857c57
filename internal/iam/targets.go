package iam

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

// target is a user, group or role an operation names.
type target struct {
	kind *entityKind
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
func (s *Service) resolve(ctx context.Context, c *authz.Caller, k *entityKind, name, action string, extra map[string][]string) (*target, error) {
	if c == nil {
		return nil, errorf(AccessDenied, "Request is not authenticated.")
	}
	t, err := s.lookupTarget(ctx, c.AccountID, k, name)
	if err != nil {
		return nil, err
	}
	arn := k.arn(s.arn, c.AccountID, "/", name)
	if t != nil {
		arn = t.arn
	}
	if err := s.authorize(ctx, c, action, arn, extra); err != nil {
		return nil, err
	}
	if t == nil {
		return nil, k.noSuch(name)
	}
	return t, nil
}

// lookupTarget finds an entity by kind and name; nil when absent.
func (s *Service) lookupTarget(ctx context.Context, acct string, k *entityKind, name string) (*target, error) {
	if k == kindRole {
		r, err := s.st.getRole(ctx, s.st.db, acct, name)
		if err != nil || r == nil {
			return nil, err
		}
		return &target{kind: k, id: r.ID, name: r.Name, path: r.Path, arn: k.arn(s.arn, acct, r.Path, r.Name), role: r}, nil
	}
	e, err := s.st.getEntity(ctx, s.st.db, k.name, acct, name)
	if err != nil || e == nil {
		return nil, err
	}
	t := &target{kind: k, id: e.ID, name: e.Name, path: e.Path, arn: k.arn(s.arn, acct, e.Path, e.Name)}
	if k == kindUser {
		t.user = e
	}
	return t, nil
}

// selfOrUser resolves an optional UserName: empty means the calling user,
// or the root itself (nil target, nil error) for the root.
func (s *Service) selfOrUser(ctx context.Context, c *authz.Caller, name, action string) (*target, error) {
	if name != "" {
		return s.resolve(ctx, c, kindUser, name, action, nil)
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
			return nil, kindUser.noSuch(c.UserName)
		}
		return s.resolve(ctx, c, kindUser, u.Name, action, nil)
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

// nameTaken reports whether the account has a user or group named name.
func (s *Service) nameTaken(ctx context.Context, tx *sql.Tx, kind, acct, name string) (bool, error) {
	e, err := s.st.getEntity(ctx, tx, kind, acct, name)
	return e != nil, err
}

// newEntity is what creating a user, group or role checks in its transaction.
type newEntity struct {
	exists error                // the error when the name is taken
	taken  func() (bool, error) // whether another entity has the name
	used   func() (int, error)  // how many entities of the kind the account has
	limit  int                  // the account's quota for the kind
	quota  string               // the quota's name
	insert func() error         // stores the entity
}

// create inserts e unless its name is taken (by lookup or by the unique
// index) or the account's quota is reached.
func (e *newEntity) create() error {
	if taken, err := e.taken(); err != nil {
		return err
	} else if taken {
		return e.exists
	}
	n, err := e.used()
	if err != nil {
		return err
	}
	if n >= e.limit {
		return errorf(LimitExceeded, "Cannot exceed quota for %s: %d", e.quota, e.limit)
	}
	if err := e.insert(); err != nil {
		if store.IsUniqueViolation(err) {
			return e.exists
		}
		return err
	}
	return nil
}

// inUse is what must be gone before an entity is deleted.
type inUse struct {
	what dependent
	msg  string
}

// refuseInUse fails with DeleteConflict at the first check that finds rows
// for id.
func (s *Service) refuseInUse(ctx context.Context, tx *sql.Tx, id string, checks []inUse) error {
	for _, ch := range checks {
		n, err := s.st.countDependents(ctx, tx, ch.what, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return errorf(DeleteConflict, "%s", ch.msg)
		}
	}
	return nil
}
