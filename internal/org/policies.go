package org

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

// checkPolicyType refuses policy types outside an organization with all
// features (consolidated billing offers none).
func checkPolicyType(o *orgRow) error {
	if o.FeatureSet != "ALL" {
		return errorf(PolicyTypeNotAvailable, "You can't use the specified policy type with the feature set currently enabled for this organization.")
	}
	return nil
}

func (s *Service) policySummary(o *orgRow, p *policyRow) PolicySummary {
	return PolicySummary{Id: p.ID, Arn: s.arn.policy(o, p), Name: p.Name, Description: p.Description, Type: p.Type, AwsManaged: p.AWSManaged}
}

type PolicyTypeInput struct {
	RootId     string `required:"true" max:"34" pattern:"^r-[0-9a-z]{4,32}$"`
	PolicyType string `required:"true" enum:"SERVICE_CONTROL_POLICY,RESOURCE_CONTROL_POLICY,TAG_POLICY,BACKUP_POLICY,AISERVICES_OPT_OUT_POLICY,CHATBOT_POLICY,DECLARATIVE_POLICY_EC2,SECURITYHUB_POLICY,SECURITYHUB_CSPM_POLICY,INSPECTOR_POLICY,UPGRADE_ROLLOUT_POLICY,BEDROCK_POLICY,S3_POLICY,NETWORK_SECURITY_DIRECTOR_POLICY,GUARDDUTY_POLICY"`
}

type RootOutput struct {
	Root *Root
}

func (s *Service) policyType(ctx context.Context, c *authz.Caller, action string, in *PolicyTypeInput, enable bool) (*RootOutput, error) {
	ss, err := s.begin(ctx, c, action, management, func(o *orgRow) string { return s.arn.root(o, in.RootId) }, nil)
	if err != nil {
		return nil, err
	}
	o := ss.org
	if in.RootId != o.RootID {
		return nil, errorf(RootNotFound, "We can't find a root with the RootId that you specified.")
	}
	if err := checkPolicyType(o); err != nil {
		return nil, err
	}
	info := policyTypes[in.PolicyType]
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		on, err := s.st.policyTypeEnabled(ctx, tx, o.RootID, in.PolicyType)
		if err != nil {
			return err
		}
		if !enable {
			if !on {
				return errorf(PolicyTypeNotEnabled, "This operation can be performed only for enabled policy types.")
			}
			return s.st.disablePolicyType(ctx, tx, o.ID, o.RootID, in.PolicyType)
		}
		if on {
			return errorf(PolicyTypeAlreadyEnabled, "The specified policy type is already enabled.")
		}
		if err := s.st.enablePolicyType(ctx, tx, o.ID, o.RootID, in.PolicyType); err != nil {
			return err
		}
		if info.managed == nil {
			return nil
		}
		// The managed default on the root, every OU and every account.
		units, err := s.st.allUnits(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		members, err := s.st.membersOf(ctx, tx, o.ID, "")
		if err != nil {
			return err
		}
		for _, u := range units {
			if err := s.st.attach(ctx, tx, o.ID, info.managed.ID, u.ID, in.PolicyType); err != nil {
				return err
			}
		}
		for _, m := range members {
			if err := s.st.attach(ctx, tx, o.ID, info.managed.ID, m.AccountID, in.PolicyType); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.invalidateAll()
	types, err := s.rootPolicyTypes(ctx, o)
	if err != nil {
		return nil, err
	}
	return &RootOutput{Root: &Root{Id: o.RootID, Arn: s.arn.root(o, o.RootID), Name: "Root", PolicyTypes: types}}, nil
}

// EnablePolicyType turns a policy type on for the root, attaching its
// managed default (FullAWSAccess, RCPFullAWSAccess) everywhere.
func (s *Service) EnablePolicyType(ctx context.Context, c *authz.Caller, in *PolicyTypeInput) (*RootOutput, error) {
	return s.policyType(ctx, c, "organizations:EnablePolicyType", in, true)
}

// DisablePolicyType turns a policy type off and detaches its policies.
func (s *Service) DisablePolicyType(ctx context.Context, c *authz.Caller, in *PolicyTypeInput) (*RootOutput, error) {
	return s.policyType(ctx, c, "organizations:DisablePolicyType", in, false)
}

type CreatePolicyInput struct {
	Content     string  `required:"true" min:"1" max:"1000000" pattern:"[\\s\\S]*"`
	Description *string `required:"true" max:"512" pattern:"[\\s\\S]*"`
	Name        string  `required:"true" min:"1" max:"128" pattern:"[\\s\\S]*"`
	Type        string  `required:"true" enum:"SERVICE_CONTROL_POLICY,RESOURCE_CONTROL_POLICY,TAG_POLICY,BACKUP_POLICY,AISERVICES_OPT_OUT_POLICY,CHATBOT_POLICY,DECLARATIVE_POLICY_EC2,SECURITYHUB_POLICY,SECURITYHUB_CSPM_POLICY,INSPECTOR_POLICY,UPGRADE_ROLLOUT_POLICY,BEDROCK_POLICY,S3_POLICY,NETWORK_SECURITY_DIRECTOR_POLICY,GUARDDUTY_POLICY"`
	Tags        []Tag
}

type PolicyOutput struct {
	Policy *Policy
}

var errDuplicatePolicy = errorf(DuplicatePolicy, "A policy with the same name already exists.")

// CreatePolicy creates a customer-managed policy of any type.
func (s *Service) CreatePolicy(ctx context.Context, c *authz.Caller, in *CreatePolicyInput) (*PolicyOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:CreatePolicy", management, nil, tagContext(in.Tags))
	if err != nil {
		return nil, err
	}
	if err := checkPolicyType(ss.org); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := checkContent(in.Type, in.Content); err != nil {
		return nil, err
	}
	o := ss.org
	p := &policyRow{ID: newPolicyID(), OrgID: o.ID, Name: in.Name, Description: deref(in.Description), Type: in.Type, Content: in.Content, CreatedAt: s.clk.Now()}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		if n, err := s.st.countPolicies(ctx, tx, o.ID); err != nil {
			return err
		} else if n >= maxPolicies {
			return reasonf(ConstraintViolation, "POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of policies that you can have in an organization.")
		}
		if err := s.st.insertPolicy(ctx, tx, p); err != nil {
			return err
		}
		return s.st.putTags(ctx, tx, o.ID, p.ID, in.Tags)
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errDuplicatePolicy
		}
		return nil, err
	}
	return &PolicyOutput{Policy: &Policy{PolicySummary: s.policySummary(o, p), Content: p.Content}}, nil
}

type PolicyIdInput struct {
	PolicyId string `required:"true" max:"130" pattern:"^p-[0-9a-zA-Z_]{8,128}$"`
}

// policyFor authorizes action on a policy and loads it.
func (s *Service) policyFor(ctx context.Context, c *authz.Caller, action, id string) (*session, *policyRow, error) {
	var p *policyRow
	var lookupErr error
	ss, err := s.begin(ctx, c, action, management, func(o *orgRow) string {
		if p, lookupErr = s.st.getPolicy(ctx, s.st.db, o.ID, id); lookupErr != nil || p == nil {
			return "*"
		}
		return s.arn.policy(o, p)
	}, nil)
	if err != nil {
		return nil, nil, err
	}
	if lookupErr != nil {
		return nil, nil, lookupErr
	}
	if p == nil {
		return nil, nil, errPolicyNotFound(id)
	}
	return ss, p, nil
}

// DescribePolicy returns a policy with its content.
func (s *Service) DescribePolicy(ctx context.Context, c *authz.Caller, in *PolicyIdInput) (*PolicyOutput, error) {
	ss, p, err := s.policyFor(ctx, c, "organizations:DescribePolicy", in.PolicyId)
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: &Policy{PolicySummary: s.policySummary(ss.org, p), Content: p.Content}}, nil
}

type UpdatePolicyInput struct {
	PolicyId    string  `required:"true" max:"130" pattern:"^p-[0-9a-zA-Z_]{8,128}$"`
	Name        string  `min:"1" max:"128" pattern:"[\\s\\S]*"`
	Description *string `max:"512" pattern:"[\\s\\S]*"`
	Content     string  `min:"1" max:"1000000" pattern:"[\\s\\S]*"`
}

var errImmutable = reasonf(InvalidInput, "IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")

// UpdatePolicy changes a customer policy's name, description or content; a
// content change applies to the next request of every bound principal.
func (s *Service) UpdatePolicy(ctx context.Context, c *authz.Caller, in *UpdatePolicyInput) (*PolicyOutput, error) {
	ss, p, err := s.policyFor(ctx, c, "organizations:UpdatePolicy", in.PolicyId)
	if err != nil {
		return nil, err
	}
	if p.AWSManaged {
		return nil, errImmutable
	}
	next := *p
	if in.Name != "" {
		next.Name = in.Name
	}
	if in.Description != nil {
		next.Description = *in.Description
	}
	if in.Content != "" {
		if err := checkContent(p.Type, in.Content); err != nil {
			return nil, err
		}
		next.Content = in.Content
	}
	if err := s.st.updatePolicy(ctx, s.st.db, &next); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errDuplicatePolicy
		}
		return nil, err
	}
	s.invalidateAll()
	return &PolicyOutput{Policy: &Policy{PolicySummary: s.policySummary(ss.org, &next), Content: next.Content}}, nil
}

// DeletePolicy deletes a customer policy attached nowhere.
func (s *Service) DeletePolicy(ctx context.Context, c *authz.Caller, in *PolicyIdInput) (*Empty, error) {
	ss, p, err := s.policyFor(ctx, c, "organizations:DeletePolicy", in.PolicyId)
	if err != nil {
		return nil, err
	}
	if p.AWSManaged {
		return nil, errImmutable
	}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		targets, err := s.st.attachmentsOfPolicy(ctx, tx, ss.org.ID, p.ID)
		if err != nil {
			return err
		}
		if len(targets) > 0 {
			return errorf(PolicyInUse, "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
		}
		return s.st.deletePolicy(ctx, tx, ss.org.ID, p.ID)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type ListPoliciesInput struct {
	Filter     string `required:"true" enum:"SERVICE_CONTROL_POLICY,RESOURCE_CONTROL_POLICY,TAG_POLICY,BACKUP_POLICY,AISERVICES_OPT_OUT_POLICY,CHATBOT_POLICY,DECLARATIVE_POLICY_EC2,SECURITYHUB_POLICY,SECURITYHUB_CSPM_POLICY,INSPECTOR_POLICY,UPGRADE_ROLLOUT_POLICY,BEDROCK_POLICY,S3_POLICY,NETWORK_SECURITY_DIRECTOR_POLICY,GUARDDUTY_POLICY"`
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListPoliciesOutput struct {
	Policies  []PolicySummary
	NextToken string `json:",omitempty"`
}

// ListPolicies lists the organization's policies of a type, FullAWSAccess
// included.
func (s *Service) ListPolicies(ctx context.Context, c *authz.Caller, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListPolicies", management, nil, nil)
	if err != nil {
		return nil, err
	}
	all, err := s.st.policies(ctx, s.st.db, ss.org.ID, in.Filter)
	if err != nil {
		return nil, err
	}
	return s.listPolicies(ss.org, all, ss.scope("ListPolicies", in.Filter), in.NextToken, in.MaxResults)
}

func (s *Service) listPolicies(o *orgRow, all []*policyRow, scope, token string, maxResults *int) (*ListPoliciesOutput, error) {
	// all is sorted by ID (the store's order), as paginate needs.
	page, next, err := paginate(all, func(p *policyRow) string { return p.ID }, scope, token, maxResults)
	if err != nil {
		return nil, err
	}
	out := &ListPoliciesOutput{Policies: []PolicySummary{}, NextToken: next}
	for _, p := range page {
		out.Policies = append(out.Policies, s.policySummary(o, p))
	}
	return out, nil
}

type AttachPolicyInput struct {
	PolicyId string `required:"true" max:"130" pattern:"^p-[0-9a-zA-Z_]{8,128}$"`
	TargetId string `required:"true" max:"100" pattern:"^(r-[0-9a-z]{4,32})|(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"`
}

// attachment authorizes action on both the policy and the target and
// resolves them.
func (s *Service) attachment(ctx context.Context, c *authz.Caller, action string, in *AttachPolicyInput) (*session, *policyRow, *target, error) {
	ss, p, err := s.policyFor(ctx, c, action, in.PolicyId)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := s.resolveTarget(ctx, s.st.db, ss.org, in.TargetId, false)
	if err != nil {
		return nil, nil, nil, err
	}
	if t == nil {
		return nil, nil, nil, errTargetNotFound(in.TargetId)
	}
	if err := s.authz.Check(ctx, &authz.Request{Caller: c, Action: action, Resource: t.ARN, ResourceAccount: c.AccountID}); err != nil {
		return nil, nil, nil, err
	}
	on, err := s.st.policyTypeEnabled(ctx, s.st.db, ss.org.RootID, p.Type)
	if err != nil {
		return nil, nil, nil, err
	}
	if !on {
		return nil, nil, nil, errorf(PolicyTypeNotEnabled, "This operation can be performed only for enabled policy types.")
	}
	return ss, p, t, nil
}

// invalidateTarget drops cached organization context below a target.
func (s *Service) invalidateTarget(t *target) {
	if t.Type == "ACCOUNT" {
		s.invalidate(t.ID)
		return
	}
	s.invalidateAll()
}

// AttachPolicy attaches a policy to a root, OU or account (at most the
// type's limit each).
func (s *Service) AttachPolicy(ctx context.Context, c *authz.Caller, in *AttachPolicyInput) (*Empty, error) {
	ss, p, t, err := s.attachment(ctx, c, "organizations:AttachPolicy", in)
	if err != nil {
		return nil, err
	}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		have, err := s.st.attachmentsOfTarget(ctx, tx, ss.org.ID, t.ID)
		if err != nil {
			return err
		}
		n := 0
		for _, a := range have {
			if a.PolicyID == p.ID {
				return errorf(DuplicatePolicyAttachment, "The selected policy is already attached to the specified target.")
			}
			if a.PolicyType == p.Type {
				n++
			}
		}
		if n >= policyTypes[p.Type].maxPerTarget {
			return reasonf(ConstraintViolation, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.")
		}
		return s.st.attach(ctx, tx, ss.org.ID, p.ID, t.ID, p.Type)
	})
	if err != nil {
		return nil, err
	}
	s.invalidateTarget(t)
	return &Empty{}, nil
}

// DetachPolicy detaches a policy; every target keeps at least one SCP, and
// RCPFullAWSAccess stays.
func (s *Service) DetachPolicy(ctx context.Context, c *authz.Caller, in *AttachPolicyInput) (*Empty, error) {
	ss, p, t, err := s.attachment(ctx, c, "organizations:DetachPolicy", in)
	if err != nil {
		return nil, err
	}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		have, err := s.st.attachmentsOfTarget(ctx, tx, ss.org.ID, t.ID)
		if err != nil {
			return err
		}
		found, n := false, 0
		for _, a := range have {
			found = found || a.PolicyID == p.ID
			if a.PolicyType == p.Type {
				n++
			}
		}
		if !found {
			return errorf(PolicyNotAttached, "The policy isn't attached to the specified target in the specified root.")
		}
		info := policyTypes[p.Type]
		if info.fixed && info.managed.ID == p.ID {
			return reasonf(InvalidInput, "NON_DETACHABLE_POLICY", "You can't detach this Amazon Web Services Managed Policy.")
		}
		if n <= info.minPerTarget {
			return reasonf(ConstraintViolation, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.")
		}
		return s.st.detach(ctx, tx, ss.org.ID, p.ID, t.ID)
	})
	if err != nil {
		return nil, err
	}
	s.invalidateTarget(t)
	return &Empty{}, nil
}

type ListPoliciesForTargetInput struct {
	TargetId   string `required:"true" max:"100" pattern:"^(r-[0-9a-z]{4,32})|(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"`
	Filter     string `required:"true" enum:"SERVICE_CONTROL_POLICY,RESOURCE_CONTROL_POLICY,TAG_POLICY,BACKUP_POLICY,AISERVICES_OPT_OUT_POLICY,CHATBOT_POLICY,DECLARATIVE_POLICY_EC2,SECURITYHUB_POLICY,SECURITYHUB_CSPM_POLICY,INSPECTOR_POLICY,UPGRADE_ROLLOUT_POLICY,BEDROCK_POLICY,S3_POLICY,NETWORK_SECURITY_DIRECTOR_POLICY,GUARDDUTY_POLICY"`
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

// ListPoliciesForTarget lists the policies of a type attached directly to
// a root, OU or account.
func (s *Service) ListPoliciesForTarget(ctx context.Context, c *authz.Caller, in *ListPoliciesForTargetInput) (*ListPoliciesOutput, error) {
	var t *target
	var lookupErr error
	ss, err := s.begin(ctx, c, "organizations:ListPoliciesForTarget", management, func(o *orgRow) string {
		if t, lookupErr = s.resolveTarget(ctx, s.st.db, o, in.TargetId, false); lookupErr != nil || t == nil {
			return "*"
		}
		return t.ARN
	}, nil)
	if err != nil {
		return nil, err
	}
	if lookupErr != nil {
		return nil, lookupErr
	}
	if t == nil {
		return nil, errTargetNotFound(in.TargetId)
	}
	have, err := s.st.attachmentsOfTarget(ctx, s.st.db, ss.org.ID, t.ID)
	if err != nil {
		return nil, err
	}
	var pols []*policyRow
	for _, a := range have {
		if a.PolicyType != in.Filter {
			continue
		}
		p, err := s.st.getPolicy(ctx, s.st.db, ss.org.ID, a.PolicyID)
		if err != nil {
			return nil, err
		}
		if p != nil {
			pols = append(pols, p)
		}
	}
	return s.listPolicies(ss.org, pols, ss.scope("ListPoliciesForTarget", t.ID, in.Filter), in.NextToken, in.MaxResults)
}

type ListTargetsForPolicyInput struct {
	PolicyId   string `required:"true" max:"130" pattern:"^p-[0-9a-zA-Z_]{8,128}$"`
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListTargetsForPolicyOutput struct {
	Targets   []PolicyTargetSummary
	NextToken string `json:",omitempty"`
}

// ListTargetsForPolicy lists the roots, OUs and accounts a policy is
// attached to.
func (s *Service) ListTargetsForPolicy(ctx context.Context, c *authz.Caller, in *ListTargetsForPolicyInput) (*ListTargetsForPolicyOutput, error) {
	ss, p, err := s.policyFor(ctx, c, "organizations:ListTargetsForPolicy", in.PolicyId)
	if err != nil {
		return nil, err
	}
	have, err := s.st.attachmentsOfPolicy(ctx, s.st.db, ss.org.ID, p.ID)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(have, func(a attachmentRow) string { return a.TargetID }, ss.scope("ListTargetsForPolicy", p.ID), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListTargetsForPolicyOutput{Targets: []PolicyTargetSummary{}, NextToken: next}
	for _, a := range page {
		t, err := s.resolveTarget(ctx, s.st.db, ss.org, a.TargetID, false)
		if err != nil {
			return nil, err
		}
		if t != nil {
			out.Targets = append(out.Targets, PolicyTargetSummary{TargetId: t.ID, Arn: t.ARN, Name: t.Name, Type: t.Type})
		}
	}
	return out, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
