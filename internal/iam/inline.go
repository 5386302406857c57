package iam

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/policy"
)

// Aggregate inline policy size per entity (characters without whitespace).
var inlineQuota = map[string]int{"user": 2048, "group": 5120, "role": 10240}

var actionKind = map[string]string{"user": "User", "group": "Group", "role": "Role"}

// protectedRole rejects changes to a service-linked role.
func protectedRole(t *target) error {
	if t.role != nil && t.role.ServiceName != "" {
		return errorf(UnmodifiableEntity, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", t.name)
	}
	return nil
}

func (s *Service) putInline(ctx context.Context, c *authz.Caller, kind, name, policyName, doc string) error {
	t, err := s.resolve(ctx, c, kind, name, "iam:Put"+actionKind[kind]+"Policy", nil)
	if err != nil {
		return err
	}
	if err := protectedRole(t); err != nil {
		return err
	}
	if err := s.validateDocument(doc, policy.Identity); err != nil {
		return err
	}
	return s.st.db.Tx(ctx, func(tx *sql.Tx) error {
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
		if q := inlineQuota[kind]; total > q {
			return errorf(LimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s", q, kind, t.name)
		}
		return s.st.putInline(ctx, tx, t.id, policyName, doc)
	})
}

func (s *Service) getInline(ctx context.Context, c *authz.Caller, kind, name, policyName string) (*target, string, error) {
	t, err := s.resolve(ctx, c, kind, name, "iam:Get"+actionKind[kind]+"Policy", nil)
	if err != nil {
		return nil, "", err
	}
	doc, ok, err := s.st.getInline(ctx, s.st.db, t.id, policyName)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", errorf(NoSuchEntity, "The %s policy with name %s cannot be found.", kind, policyName)
	}
	return t, doc, nil
}

func (s *Service) deleteInline(ctx context.Context, c *authz.Caller, kind, name, policyName string) error {
	t, err := s.resolve(ctx, c, kind, name, "iam:Delete"+actionKind[kind]+"Policy", nil)
	if err != nil {
		return err
	}
	if err := protectedRole(t); err != nil {
		return err
	}
	ok, err := s.st.deleteInline(ctx, s.st.db, t.id, policyName)
	if err != nil {
		return err
	}
	if !ok {
		return errorf(NoSuchEntity, "The %s policy with name %s cannot be found.", kind, policyName)
	}
	return nil
}

func (s *Service) listInline(ctx context.Context, c *authz.Caller, kind, name, marker string, maxItems *int) (*ListPolicyNamesOutput, error) {
	t, err := s.resolve(ctx, c, kind, name, "iam:List"+actionKind[kind]+"Policies", nil)
	if err != nil {
		return nil, err
	}
	all, err := s.st.listInline(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	page, next, trunc, err := paginate(all, func(p inlinePolicy) string { return p.Name }, marker, maxItems)
	if err != nil {
		return nil, err
	}
	out := &ListPolicyNamesOutput{PolicyNames: make([]string, 0, len(page)), IsTruncated: trunc, Marker: next}
	for _, p := range page {
		out.PolicyNames = append(out.PolicyNames, p.Name)
	}
	return out, nil
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
	return &Empty{}, s.putInline(ctx, c, "user", in.UserName, in.PolicyName, in.PolicyDocument)
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
	t, doc, err := s.getInline(ctx, c, "user", in.UserName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetUserPolicyOutput{UserName: t.name, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

func (s *Service) DeleteUserPolicy(ctx context.Context, c *authz.Caller, in *UserPolicyInput) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, c, "user", in.UserName, in.PolicyName)
}

type ListUserPoliciesInput struct {
	UserName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

func (s *Service) ListUserPolicies(ctx context.Context, c *authz.Caller, in *ListUserPoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, "user", in.UserName, in.Marker, in.MaxItems)
}

// Role inline policies.

type PutRolePolicyInput struct {
	RoleName       string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PolicyName     string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

func (s *Service) PutRolePolicy(ctx context.Context, c *authz.Caller, in *PutRolePolicyInput) (*Empty, error) {
	return &Empty{}, s.putInline(ctx, c, "role", in.RoleName, in.PolicyName, in.PolicyDocument)
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
	t, doc, err := s.getInline(ctx, c, "role", in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetRolePolicyOutput{RoleName: t.name, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

func (s *Service) DeleteRolePolicy(ctx context.Context, c *authz.Caller, in *RolePolicyInput) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, c, "role", in.RoleName, in.PolicyName)
}

type ListRolePoliciesInput struct {
	RoleName string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

func (s *Service) ListRolePolicies(ctx context.Context, c *authz.Caller, in *ListRolePoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, "role", in.RoleName, in.Marker, in.MaxItems)
}

// Group inline policies.

type PutGroupPolicyInput struct {
	GroupName      string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyName     string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

func (s *Service) PutGroupPolicy(ctx context.Context, c *authz.Caller, in *PutGroupPolicyInput) (*Empty, error) {
	return &Empty{}, s.putInline(ctx, c, "group", in.GroupName, in.PolicyName, in.PolicyDocument)
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
	t, doc, err := s.getInline(ctx, c, "group", in.GroupName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetGroupPolicyOutput{GroupName: t.name, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

func (s *Service) DeleteGroupPolicy(ctx context.Context, c *authz.Caller, in *GroupPolicyInput) (*Empty, error) {
	return &Empty{}, s.deleteInline(ctx, c, "group", in.GroupName, in.PolicyName)
}

type ListGroupPoliciesInput struct {
	GroupName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker    string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems  *int   `min:"1" max:"1000"`
}

func (s *Service) ListGroupPolicies(ctx context.Context, c *authz.Caller, in *ListGroupPoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, "group", in.GroupName, in.Marker, in.MaxItems)
}
