package iam

import (
	"context"
	"database/sql"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

func (s *Service) attachPolicy(ctx context.Context, c *authz.Caller, k *entityKind, name, arn string) error {
	t, err := s.resolveModifiable(ctx, c, k, name, k.act("Attach", "Policy"), map[string][]string{"iam:PolicyARN": {arn}})
	if err != nil {
		return err
	}
	ref, err := s.findPolicy(ctx, c.AccountID, arn)
	if err != nil {
		if KindOf(err) == NoSuchEntity {
			return noSuchPolicy(arn)
		}
		return err
	}
	if ref.aws != nil && ref.aws.serviceRolePolicy() {
		return errorf(PolicyNotAttachable, "Cannot attach a Service Role Policy to a Customer Role.")
	}
	if s.beforeAttachTx != nil {
		s.beforeAttachTx()
	}
	return s.st.tx(ctx, func(tx *sql.Tx) error {
		// Attachments carry no foreign key: a DeletePolicy committed since
		// the check above would leave one pointing at a deleted ARN, which
		// a same-named policy created later would bring back to life.
		if ref.aws == nil {
			p, err := s.st.getPolicyByARN(ctx, tx, arn)
			if err != nil {
				return err
			}
			if p == nil || p.AccountID != c.AccountID {
				return noSuchPolicy(arn)
			}
		}
		attached, err := s.st.attachedPolicies(ctx, tx, t.id)
		if err != nil {
			return err
		}
		for _, a := range attached {
			if a == arn {
				return nil
			}
		}
		if len(attached) >= maxAttachedPerEntity {
			return errorf(LimitExceeded, "Cannot exceed quota for %s: %d", k.attachQuota, maxAttachedPerEntity)
		}
		return s.st.attach(ctx, tx, c.AccountID, t.id, k.name, arn)
	})
}

func (s *Service) detachPolicy(ctx context.Context, c *authz.Caller, k *entityKind, name, arn string) error {
	t, err := s.resolveModifiable(ctx, c, k, name, k.act("Detach", "Policy"), map[string][]string{"iam:PolicyARN": {arn}})
	if err != nil {
		return err
	}
	ok, err := s.st.detach(ctx, s.st.db, t.id, arn)
	if err != nil {
		return err
	}
	if !ok {
		return policyNotFound(arn)
	}
	return nil
}

// ListAttachedPoliciesOutput is the output of ListAttached{User,Group,Role}Policies.
type ListAttachedPoliciesOutput struct {
	AttachedPolicies []AttachedPolicy
	IsTruncated      bool
	Marker           string
}

func (s *Service) listAttached(ctx context.Context, c *authz.Caller, k *entityKind, name, pathPrefix, marker string, maxItems *int) (*ListAttachedPoliciesOutput, error) {
	t, err := s.resolve(ctx, c, k, name, k.act("ListAttached", "Policies"), nil)
	if err != nil {
		return nil, err
	}
	arns, err := s.st.attachedPolicies(ctx, s.st.db, t.id)
	if err != nil {
		return nil, err
	}
	prefix := normPath(pathPrefix)
	var all []AttachedPolicy
	for _, a := range arns {
		pa, ok := parseIAMARN(a)
		if !ok || !strings.HasPrefix(pa.Path, prefix) {
			continue
		}
		all = append(all, AttachedPolicy{PolicyName: pa.Name, PolicyArn: a})
	}
	page, next, trunc, err := paginate(all, func(p AttachedPolicy) string { return p.PolicyArn }, scopeOf(c, k.act("ListAttached", "Policies"), t.id, prefix), marker, maxItems)
	if err != nil {
		return nil, err
	}
	return &ListAttachedPoliciesOutput{AttachedPolicies: nonNil(page), IsTruncated: trunc, Marker: next}, nil
}

type AttachUserPolicyInput struct {
	UserName  string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyArn string `required:"true" min:"20" max:"2048"`
}

func (s *Service) AttachUserPolicy(ctx context.Context, c *authz.Caller, in *AttachUserPolicyInput) (*Empty, error) {
	return &Empty{}, s.attachPolicy(ctx, c, kindUser, in.UserName, in.PolicyArn)
}

func (s *Service) DetachUserPolicy(ctx context.Context, c *authz.Caller, in *AttachUserPolicyInput) (*Empty, error) {
	return &Empty{}, s.detachPolicy(ctx, c, kindUser, in.UserName, in.PolicyArn)
}

type ListAttachedUserPoliciesInput struct {
	UserName   string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PathPrefix string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	Marker     string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems   *int   `min:"1" max:"1000"`
}

func (s *Service) ListAttachedUserPolicies(ctx context.Context, c *authz.Caller, in *ListAttachedUserPoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, c, kindUser, in.UserName, in.PathPrefix, in.Marker, in.MaxItems)
}

type AttachRolePolicyInput struct {
	RoleName  string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PolicyArn string `required:"true" min:"20" max:"2048"`
}

func (s *Service) AttachRolePolicy(ctx context.Context, c *authz.Caller, in *AttachRolePolicyInput) (*Empty, error) {
	return &Empty{}, s.attachPolicy(ctx, c, kindRole, in.RoleName, in.PolicyArn)
}

func (s *Service) DetachRolePolicy(ctx context.Context, c *authz.Caller, in *AttachRolePolicyInput) (*Empty, error) {
	return &Empty{}, s.detachPolicy(ctx, c, kindRole, in.RoleName, in.PolicyArn)
}

type ListAttachedRolePoliciesInput struct {
	RoleName   string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PathPrefix string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	Marker     string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems   *int   `min:"1" max:"1000"`
}

func (s *Service) ListAttachedRolePolicies(ctx context.Context, c *authz.Caller, in *ListAttachedRolePoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, c, kindRole, in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
}

type AttachGroupPolicyInput struct {
	GroupName string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PolicyArn string `required:"true" min:"20" max:"2048"`
}

func (s *Service) AttachGroupPolicy(ctx context.Context, c *authz.Caller, in *AttachGroupPolicyInput) (*Empty, error) {
	return &Empty{}, s.attachPolicy(ctx, c, kindGroup, in.GroupName, in.PolicyArn)
}

func (s *Service) DetachGroupPolicy(ctx context.Context, c *authz.Caller, in *AttachGroupPolicyInput) (*Empty, error) {
	return &Empty{}, s.detachPolicy(ctx, c, kindGroup, in.GroupName, in.PolicyArn)
}

type ListAttachedGroupPoliciesInput struct {
	GroupName  string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	PathPrefix string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	Marker     string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems   *int   `min:"1" max:"1000"`
}

func (s *Service) ListAttachedGroupPolicies(ctx context.Context, c *authz.Caller, in *ListAttachedGroupPoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, c, kindGroup, in.GroupName, in.PathPrefix, in.Marker, in.MaxItems)
}

type ListEntitiesForPolicyInput struct {
	PolicyArn         string `required:"true" min:"20" max:"2048"`
	EntityFilter      string `enum:"User,Role,Group,LocalManagedPolicy,AWSManagedPolicy"`
	PathPrefix        string `min:"1" max:"512" pattern:"\\u002F[\\u0021-\\u007F]*"`
	PolicyUsageFilter string `enum:"PermissionsPolicy,PermissionsBoundary"`
	Marker            string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems          *int   `min:"1" max:"1000"`
}

type PolicyGroup struct {
	GroupName string
	GroupId   string
}

type PolicyUser struct {
	UserName string
	UserId   string
}

type PolicyRole struct {
	RoleName string
	RoleId   string
}

type ListEntitiesForPolicyOutput struct {
	PolicyGroups []PolicyGroup
	PolicyUsers  []PolicyUser
	PolicyRoles  []PolicyRole
	IsTruncated  bool
	Marker       string
}

// ListEntitiesForPolicy lists the users, groups and roles a policy is attached to.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, c *authz.Caller, in *ListEntitiesForPolicyInput) (*ListEntitiesForPolicyOutput, error) {
	ref, err := s.resolvePolicy(ctx, c, in.PolicyArn, "iam:ListEntitiesForPolicy")
	if err != nil {
		return nil, err
	}
	atts, err := s.st.attachmentsOf(ctx, s.st.db, c.AccountID, ref.row.ARN)
	if err != nil {
		return nil, err
	}
	type item struct{ kind, name, id, path string }
	var all []item
	for _, a := range atts {
		kind := a.EntityKind
		if in.EntityFilter != "" && !strings.EqualFold(in.EntityFilter, kind) {
			continue
		}
		var it item
		if kind == "role" {
			r, err := s.st.getRoleByID(ctx, s.st.db, a.EntityID)
			if err != nil {
				return nil, err
			}
			if r == nil {
				continue
			}
			it = item{kind, r.Name, r.ID, r.Path}
		} else {
			e, err := s.st.getEntityByID(ctx, s.st.db, kind, a.EntityID)
			if err != nil {
				return nil, err
			}
			if e == nil {
				continue
			}
			it = item{kind, e.Name, e.ID, e.Path}
		}
		if strings.HasPrefix(it.path, normPath(in.PathPrefix)) {
			all = append(all, it)
		}
	}
	sortBy(all, func(i item) string { return i.kind + "/" + lowerKey(i.name) })
	page, marker, trunc, err := paginate(all, func(i item) string { return i.kind + "/" + lowerKey(i.name) },
		scopeOf(c, "ListEntitiesForPolicy", ref.row.ARN, in.EntityFilter, normPath(in.PathPrefix), in.PolicyUsageFilter), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListEntitiesForPolicyOutput{PolicyGroups: []PolicyGroup{}, PolicyUsers: []PolicyUser{}, PolicyRoles: []PolicyRole{}, IsTruncated: trunc, Marker: marker}
	for _, it := range page {
		switch it.kind {
		case "user":
			out.PolicyUsers = append(out.PolicyUsers, PolicyUser{UserName: it.name, UserId: it.id})
		case "group":
			out.PolicyGroups = append(out.PolicyGroups, PolicyGroup{GroupName: it.name, GroupId: it.id})
		case "role":
			out.PolicyRoles = append(out.PolicyRoles, PolicyRole{RoleName: it.name, RoleId: it.id})
		}
	}
	return out, nil
}
