package iam

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/policy"
)

// protectedRole rejects changes to a service-linked role.
func protectedRole(t *target) error {
	if t.role != nil && t.role.ServiceName != "" {
		return errorf(UnmodifiableEntity, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", t.name)
	}
	return nil
}

// resolveModifiable resolves a target for a change that a service-linked
// role does not allow.
func (s *Service) resolveModifiable(ctx context.Context, c *authz.Caller, k *entityKind, name, action string, extra map[string][]string) (*target, error) {
	t, err := s.resolve(ctx, c, k, name, action, extra)
	if err != nil {
		return nil, err
	}
	if err := protectedRole(t); err != nil {
		return nil, err
	}
	return t, nil
}

func noSuchInline(k *entityKind, policyName string) *Error {
	return errorf(NoSuchEntity, "The %s policy with name %s cannot be found.", k.name, policyName)
}

func (s *Service) putInline(ctx context.Context, c *authz.Caller, k *entityKind, name, policyName, doc string) error {
	t, err := s.resolveModifiable(ctx, c, k, name, k.act("Put", "Policy"), nil)
	if err != nil {
		return err
	}
	if err := s.validateDocument(doc, policy.Identity); err != nil {
		return err
	}
	return s.st.tx(ctx, func(tx *sql.Tx) error {
		existing, err := s.st.listInline(ctx, tx, t.id)
		if err != nil {
			return err
		}
		total := compactLen(doc)
		for _, p := range existing {
			if p.Name != policyName {
				total += compactLen(p.Document)
			}
		}
		if q := k.inlineQuota; total > q {
			return errorf(LimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s", q, k.name, t.name)
		}
		return s.st.putInline(ctx, tx, t.id, policyName, doc)
	})
}

// getInline finds an inline policy and shapes it with out, which receives
// the entity's stored name and the document.
func getInline[T any](ctx context.Context, s *Service, c *authz.Caller, k *entityKind, name, policyName string, out func(entityName, doc string) *T) (*T, error) {
	t, err := s.resolve(ctx, c, k, name, k.act("Get", "Policy"), nil)
	if err != nil {
		return nil, err
	}
	doc, ok, err := s.st.getInline(ctx, s.st.db, t.id, policyName)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchInline(k, policyName)
	}
	return out(t.name, doc), nil
}

func (s *Service) deleteInline(ctx context.Context, c *authz.Caller, k *entityKind, name, policyName string) error {
	t, err := s.resolveModifiable(ctx, c, k, name, k.act("Delete", "Policy"), nil)
	if err != nil {
		return err
	}
	ok, err := s.st.deleteInline(ctx, s.st.db, t.id, policyName)
	if err != nil {
		return err
	}
	if !ok {
		return noSuchInline(k, policyName)
	}
	return nil
}

func (s *Service) listInline(ctx context.Context, c *authz.Caller, k *entityKind, name, marker string, maxItems *int) (*ListPolicyNamesOutput, error) {
	t, err := s.resolve(ctx, c, k, name, k.act("List", "Policies"), nil)
	if err != nil {
		return nil, err
	}
	all, err := s.st.listInline(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	policyName := func(p inlinePolicy) string { return p.Name }
	names, next, trunc, err := paginateAs(all, policyName, policyName, scopeOf(c, k.act("List", "Policies"), t.id), marker, maxItems)
	if err != nil {
		return nil, err
	}
	return &ListPolicyNamesOutput{PolicyNames: names, IsTruncated: trunc, Marker: next}, nil
}

// ListPolicyNamesOutput is the output of List{User,Group,Role}Policies.
type ListPolicyNamesOutput struct {
	PolicyNames []string
	IsTruncated bool
	Marker      string
}

// User inline policies.

type PutUserPolicyInput struct {
	UserName       string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyName     string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

func (s *Service) PutUserPolicy(ctx context.Context, c *authz.Caller, in *PutUserPolicyInput) (*Empty, error) {
	return &Empty{}, s.putInline(ctx, c, kindUser, in.UserName, in.PolicyName, in.PolicyDocument)
}

type UserPolicyInput struct {
	UserName   string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type GetUserPolicyOutput struct {
	UserName       string
	PolicyName     string
	PolicyDocument string `urlencode:"true"`
}

func (s *Service) GetUserPolicy(ctx context.Context, c *authz.Caller, in *UserPolicyInput) (*GetUserPolicyOutput, error) {
	return getInline(ctx, s, c, kindUser, in.UserName, in.PolicyName, func(name, doc string) *GetUserPolicyOutput {
		return &GetUserPolicyOutput{UserName: name, PolicyName: in.PolicyName, PolicyDocument: doc}
	})
}

func (s *Service) DeleteUserPolicy(ctx context.Context, c *authz.Caller, in *UserPolicyInput) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, c, kindUser, in.UserName, in.PolicyName)
}

type ListUserPoliciesInput struct {
	UserName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

func (s *Service) ListUserPolicies(ctx context.Context, c *authz.Caller, in *ListUserPoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, kindUser, in.UserName, in.Marker, in.MaxItems)
}

// Role inline policies.

type PutRolePolicyInput struct {
	RoleName       string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PolicyName     string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

func (s *Service) PutRolePolicy(ctx context.Context, c *authz.Caller, in *PutRolePolicyInput) (*Empty, error) {
	return &Empty{}, s.putInline(ctx, c, kindRole, in.RoleName, in.PolicyName, in.PolicyDocument)
}

type RolePolicyInput struct {
	RoleName   string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PolicyName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type GetRolePolicyOutput struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string `urlencode:"true"`
}

func (s *Service) GetRolePolicy(ctx context.Context, c *authz.Caller, in *RolePolicyInput) (*GetRolePolicyOutput, error) {
	return getInline(ctx, s, c, kindRole, in.RoleName, in.PolicyName, func(name, doc string) *GetRolePolicyOutput {
		return &GetRolePolicyOutput{RoleName: name, PolicyName: in.PolicyName, PolicyDocument: doc}
	})
}

func (s *Service) DeleteRolePolicy(ctx context.Context, c *authz.Caller, in *RolePolicyInput) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, c, kindRole, in.RoleName, in.PolicyName)
}

type ListRolePoliciesInput struct {
	RoleName string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

func (s *Service) ListRolePolicies(ctx context.Context, c *authz.Caller, in *ListRolePoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, kindRole, in.RoleName, in.Marker, in.MaxItems)
}

// Group inline policies.

type PutGroupPolicyInput struct {
	GroupName      string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyName     string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

func (s *Service) PutGroupPolicy(ctx context.Context, c *authz.Caller, in *PutGroupPolicyInput) (*Empty, error) {
	return &Empty{}, s.putInline(ctx, c, kindGroup, in.GroupName, in.PolicyName, in.PolicyDocument)
}

type GroupPolicyInput struct {
	GroupName  string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type GetGroupPolicyOutput struct {
	GroupName      string
	PolicyName     string
	PolicyDocument string `urlencode:"true"`
}

func (s *Service) GetGroupPolicy(ctx context.Context, c *authz.Caller, in *GroupPolicyInput) (*GetGroupPolicyOutput, error) {
	return getInline(ctx, s, c, kindGroup, in.GroupName, in.PolicyName, func(name, doc string) *GetGroupPolicyOutput {
		return &GetGroupPolicyOutput{GroupName: name, PolicyName: in.PolicyName, PolicyDocument: doc}
	})
}

func (s *Service) DeleteGroupPolicy(ctx context.Context, c *authz.Caller, in *GroupPolicyInput) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, c, kindGroup, in.GroupName, in.PolicyName)
}

type ListGroupPoliciesInput struct {
	GroupName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker    string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems  *int   `min:"1" max:"1000"`
}

func (s *Service) ListGroupPolicies(ctx context.Context, c *authz.Caller, in *ListGroupPoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, kindGroup, in.GroupName, in.Marker, in.MaxItems)
}
