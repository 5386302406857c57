package iam

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/policy"
	"github.com/openpca/openpca/internal/store"
)

const (
	maxPolicySize         = 6144
	maxPolicyVersions     = 5
	maxPoliciesPerAccount = 1500
	maxAttachedPerEntity  = 10
)

// managedRef is a resolved managed policy: local row or AWS-managed.
type managedRef struct {
	row *policyRow
	aws *awsManaged
}

// resolvePolicy authorizes action on arn and finds the policy visible to
// the caller's account (its own or AWS-managed).
func (s *Service) resolvePolicy(ctx context.Context, c *authz.Caller, arn, action string) (*managedRef, error) {
	if err := s.authorize(ctx, c, action, arn, nil); err != nil {
		return nil, err
	}
	return s.findPolicy(ctx, c.AccountID, arn)
}

func (s *Service) findPolicy(ctx context.Context, acct, arn string) (*managedRef, error) {
	if m := s.st.managed.get(arn); m != nil {
		return &managedRef{row: &m.policyRow, aws: m}, nil
	}
	p, err := s.st.getPolicyByARN(ctx, s.st.db, arn)
	if err != nil {
		return nil, err
	}
	if p == nil || p.AccountID != acct {
		return nil, policyNotFound(arn)
	}
	return &managedRef{row: p}, nil
}

func policyNotFound(arn string) *Error {
	return errorf(NoSuchEntity, "Policy %s was not found.", arn)
}

// resolveLocalPolicy is resolvePolicy for a change, which AWS-managed
// policies refuse.
func (s *Service) resolveLocalPolicy(ctx context.Context, c *authz.Caller, arn, action string) (*managedRef, error) {
	ref, err := s.resolvePolicy(ctx, c, arn, action)
	if err != nil {
		return nil, err
	}
	if err := ref.localOnly(); err != nil {
		return nil, err
	}
	return ref, nil
}

// inPolicyTx runs fn in a transaction on the policy's current row.
func (s *Service) inPolicyTx(ctx context.Context, arn string, fn func(tx *sql.Tx, p *policyRow) error) error {
	return s.st.tx(ctx, func(tx *sql.Tx) error {
		p, err := s.st.getPolicyByARN(ctx, tx, arn)
		if err != nil {
			return err
		}
		if p == nil {
			return policyNotFound(arn)
		}
		return fn(tx, p)
	})
}

// requireVersion fails unless the policy has the version; arn is the ARN
// as the request gave it.
func (s *Service) requireVersion(ctx context.Context, tx *sql.Tx, p *policyRow, arn, versionID string) error {
	v, err := s.st.getVersion(ctx, tx, p.ID, versionID)
	if err != nil {
		return err
	}
	if v == nil {
		return noSuchVersion(arn, versionID)
	}
	return nil
}

// localOnly rejects changes to AWS-managed policies.
func (r *managedRef) localOnly() error {
	if r.aws != nil {
		return errorf(InvalidInput, "Policy %s is an AWS managed policy and cannot be modified.", r.row.ARN)
	}
	return nil
}

func (s *Service) policyShape(ctx context.Context, acct string, p *policyRow) (ManagedPolicy, error) {
	n, err := s.st.countAttachmentsIn(ctx, s.st.db, acct, p.ARN)
	if err != nil {
		return ManagedPolicy{}, err
	}
	b, err := s.st.countBoundaryUsesIn(ctx, s.st.db, acct, p.ARN)
	if err != nil {
		return ManagedPolicy{}, err
	}
	return ManagedPolicy{
		PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: n, PermissionsBoundaryUsageCount: b, IsAttachable: true, Description: p.Description, CreateDate: p.CreatedAt, UpdateDate: p.UpdatedAt,
	}, nil
}

func (s *Service) checkManagedDocument(doc string) error {
	if err := s.validateDocument(doc, policy.Identity); err != nil {
		return err
	}
	if compactLen(doc) > maxPolicySize {
		return errorf(LimitExceeded, "Cannot exceed quota for PolicySize: %d", maxPolicySize)
	}
	return nil
}

type CreatePolicyInput struct {
	PolicyName     string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Path           string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	PolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	Description    string `max:"1000"`
	Tags           []Tag  `max:"50"`
}

type CreatePolicyOutput struct {
	Policy ManagedPolicy
}

// CreatePolicy creates a customer-managed policy with version v1.
func (s *Service) CreatePolicy(ctx context.Context, c *authz.Caller, in *CreatePolicyInput) (*CreatePolicyOutput, error) {
	path := normPath(in.Path)
	arn := s.arn.policy(c.AccountID, path, in.PolicyName)
	if err := s.authorize(ctx, c, "iam:CreatePolicy", arn, tagContext(in.Tags)); err != nil {
		return nil, err
	}
	if err := s.checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	now := s.clk.Now()
	p := &policyRow{
		ID: newUniqueID(prefixPolicy), AccountID: c.AccountID, ARN: arn, Name: in.PolicyName, Path: path,
		Description: in.Description, DefaultVersion: "v1", NextVersion: 2, CreatedAt: now, UpdatedAt: now,
	}
	exists := errorf(EntityAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
	err := s.st.tx(ctx, func(tx *sql.Tx) error {
		taken, err := s.st.policyNameTaken(ctx, tx, c.AccountID, in.PolicyName)
		if err != nil {
			return err
		}
		if taken {
			return exists
		}
		n, err := s.st.countPolicies(ctx, tx, c.AccountID)
		if err != nil {
			return err
		}
		if n >= maxPoliciesPerAccount {
			return errorf(LimitExceeded, "Cannot exceed quota for PoliciesPerAccount: %d", maxPoliciesPerAccount)
		}
		if err := s.st.insertPolicy(ctx, tx, p); err != nil {
			if store.IsUniqueViolation(err) {
				return exists
			}
			return err
		}
		if err := s.st.insertVersion(ctx, tx, p.ID, &policyVersion{VersionID: "v1", Document: in.PolicyDocument, CreatedAt: now}); err != nil {
			return err
		}
		return s.st.putTags(ctx, tx, p.ID, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	shape, err := s.policyShape(ctx, c.AccountID, p)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		shape.Tags = in.Tags
	}
	return &CreatePolicyOutput{Policy: shape}, nil
}

type PolicyArnInput struct {
	PolicyArn string `required:"true" min:"20" max:"2048"`
}

type GetPolicyOutput struct {
	Policy ManagedPolicy
}

// GetPolicy describes a customer- or AWS-managed policy.
func (s *Service) GetPolicy(ctx context.Context, c *authz.Caller, in *PolicyArnInput) (*GetPolicyOutput, error) {
	ref, err := s.resolvePolicy(ctx, c, in.PolicyArn, "iam:GetPolicy")
	if err != nil {
		return nil, err
	}
	shape, err := s.policyShape(ctx, c.AccountID, ref.row)
	if err != nil {
		return nil, err
	}
	if shape.Tags, err = s.policyTags(ctx, ref); err != nil {
		return nil, err
	}
	return &GetPolicyOutput{Policy: shape}, nil
}

// DeletePolicy deletes a customer-managed policy that is attached nowhere
// and has only its default version left.
func (s *Service) DeletePolicy(ctx context.Context, c *authz.Caller, in *PolicyArnInput) (*Empty, error) {
	ref, err := s.resolveLocalPolicy(ctx, c, in.PolicyArn, "iam:DeletePolicy")
	if err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		n, err := s.st.countAttachments(ctx, tx, ref.row.ARN)
		if err != nil {
			return err
		}
		// A boundary counts as an attachment: deleting it would leave the
		// user or role bounded by nothing.
		b, err := s.st.countBoundaryUses(ctx, tx, ref.row.ARN)
		if err != nil {
			return err
		}
		if n+b > 0 {
			return errorf(DeleteConflict, "Cannot delete a policy attached to entities.")
		}
		if n, err = s.st.countPolicyVersions(ctx, tx, ref.row.ID); err != nil {
			return err
		}
		if n > 1 {
			return errorf(DeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return s.st.deletePolicy(ctx, tx, ref.row.ID)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type ListPoliciesInput struct {
	Scope             string `enum:"All,AWS,Local"`
	OnlyAttached      *bool
	PathPrefix        string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	PolicyUsageFilter string `enum:"PermissionsPolicy,PermissionsBoundary"`
	Marker            string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems          *int   `min:"1" max:"1000"`
}

type ListPoliciesOutput struct {
	Policies    []ManagedPolicy
	IsTruncated bool
	Marker      string
}

// ListPolicies lists the account's policies and the AWS-managed ones.
func (s *Service) ListPolicies(ctx context.Context, c *authz.Caller, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	if err := s.authorize(ctx, c, "iam:ListPolicies", "*", nil); err != nil {
		return nil, err
	}
	counts, err := s.st.attachmentCounts(ctx, s.st.db, c.AccountID)
	if err != nil {
		return nil, err
	}
	bounds, err := s.st.boundaryCounts(ctx, s.st.db, c.AccountID)
	if err != nil {
		return nil, err
	}
	var rows []*policyRow
	if in.Scope != "Local" {
		for _, m := range s.st.managed.sorted {
			rows = append(rows, &m.policyRow)
		}
	}
	if in.Scope != "AWS" {
		local, err := s.st.listPolicies(ctx, s.st.db, c.AccountID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, local...)
	}
	prefix := normPath(in.PathPrefix)
	var all []ManagedPolicy
	for _, p := range rows {
		if !strings.HasPrefix(p.Path, prefix) || (in.OnlyAttached != nil && *in.OnlyAttached && counts[p.ARN] == 0) {
			continue
		}
		all = append(all, ManagedPolicy{
			PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
			AttachmentCount: counts[p.ARN], PermissionsBoundaryUsageCount: bounds[p.ARN], IsAttachable: true,
			CreateDate: p.CreatedAt, UpdateDate: p.UpdatedAt,
		})
	}
	// AWS-managed first, then local, each by name: keys sort that way.
	key := func(p ManagedPolicy) string {
		if strings.Contains(p.Arn, ":iam::aws:") {
			return "0" + lowerKey(p.PolicyName)
		}
		return "1" + lowerKey(p.PolicyName)
	}
	scope := scopeOf(c, "ListPolicies", in.Scope, strconv.FormatBool(in.OnlyAttached != nil && *in.OnlyAttached), prefix, in.PolicyUsageFilter)
	page, marker, trunc, err := paginate(all, key, scope, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListPoliciesOutput{Policies: nonNil(page), IsTruncated: trunc, Marker: marker}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type CreatePolicyVersionInput struct {
	PolicyArn      string `required:"true" min:"20" max:"2048"`
	PolicyDocument string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	SetAsDefault   *bool
}

type PolicyVersionOutput struct {
	PolicyVersion PolicyVersion
}

// CreatePolicyVersion adds a version (at most five per policy).
func (s *Service) CreatePolicyVersion(ctx context.Context, c *authz.Caller, in *CreatePolicyVersionInput) (*PolicyVersionOutput, error) {
	ref, err := s.resolveLocalPolicy(ctx, c, in.PolicyArn, "iam:CreatePolicyVersion")
	if err != nil {
		return nil, err
	}
	if err := s.checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	setDefault := in.SetAsDefault != nil && *in.SetAsDefault
	now := s.clk.Now()
	var v policyVersion
	err = s.inPolicyTx(ctx, ref.row.ARN, func(tx *sql.Tx, p *policyRow) error {
		n, err := s.st.countPolicyVersions(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		if n >= maxPolicyVersions {
			return errorf(LimitExceeded, "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		v = policyVersion{VersionID: "v" + strconv.Itoa(p.NextVersion), Document: in.PolicyDocument, CreatedAt: now}
		if err := s.st.insertVersion(ctx, tx, p.ID, &v); err != nil {
			return err
		}
		def := p.DefaultVersion
		if setDefault {
			def = v.VersionID
		}
		return s.st.updatePolicyVersions(ctx, tx, p.ID, def, p.NextVersion+1, now)
	})
	if err != nil {
		return nil, err
	}
	// AWS omits the document in CreatePolicyVersion's answer.
	return &PolicyVersionOutput{PolicyVersion: PolicyVersion{VersionId: v.VersionID, IsDefaultVersion: setDefault, CreateDate: v.CreatedAt}}, nil
}

type PolicyVersionInput struct {
	PolicyArn string `required:"true" min:"20" max:"2048"`
	VersionId string `required:"true" pattern:"v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"`
}

func noSuchVersion(arn, v string) error {
	return errorf(NoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, v)
}

// GetPolicyVersion returns one version's document.
func (s *Service) GetPolicyVersion(ctx context.Context, c *authz.Caller, in *PolicyVersionInput) (*PolicyVersionOutput, error) {
	ref, err := s.resolvePolicy(ctx, c, in.PolicyArn, "iam:GetPolicyVersion")
	if err != nil {
		return nil, err
	}
	if ref.aws != nil {
		if in.VersionId != ref.row.DefaultVersion {
			return nil, noSuchVersion(in.PolicyArn, in.VersionId)
		}
		return &PolicyVersionOutput{PolicyVersion: PolicyVersion{Document: ref.aws.Document, VersionId: in.VersionId, IsDefaultVersion: true, CreateDate: ref.row.CreatedAt}}, nil
	}
	v, err := s.st.getVersion(ctx, s.st.db, ref.row.ID, in.VersionId)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, noSuchVersion(in.PolicyArn, in.VersionId)
	}
	return &PolicyVersionOutput{PolicyVersion: PolicyVersion{Document: v.Document, VersionId: v.VersionID, IsDefaultVersion: v.VersionID == ref.row.DefaultVersion, CreateDate: v.CreatedAt}}, nil
}

type ListPolicyVersionsInput struct {
	PolicyArn string `required:"true" min:"20" max:"2048"`
	Marker    string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems  *int   `min:"1" max:"1000"`
}

type ListPolicyVersionsOutput struct {
	Versions    []PolicyVersion
	IsTruncated bool
	Marker      string
}

// ListPolicyVersions lists versions, newest first, without documents.
func (s *Service) ListPolicyVersions(ctx context.Context, c *authz.Caller, in *ListPolicyVersionsInput) (*ListPolicyVersionsOutput, error) {
	ref, err := s.resolvePolicy(ctx, c, in.PolicyArn, "iam:ListPolicyVersions")
	if err != nil {
		return nil, err
	}
	var all []PolicyVersion
	if ref.aws != nil {
		all = []PolicyVersion{{VersionId: ref.row.DefaultVersion, IsDefaultVersion: true, CreateDate: ref.row.CreatedAt}}
	} else {
		vs, err := s.st.listVersions(ctx, s.st.db, ref.row.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			all = append(all, PolicyVersion{VersionId: v.VersionID, IsDefaultVersion: v.VersionID == ref.row.DefaultVersion, CreateDate: v.CreatedAt})
		}
	}
	// newest first: order keys by descending version number
	key := func(v PolicyVersion) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(v.VersionId, "v"))
		return fmt.Sprintf("%010d", 1<<30-n)
	}
	page, marker, trunc, err := paginate(all, key, scopeOf(c, "ListPolicyVersions", ref.row.ARN), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListPolicyVersionsOutput{Versions: nonNil(page), IsTruncated: trunc, Marker: marker}, nil
}

// DeletePolicyVersion deletes a non-default version.
func (s *Service) DeletePolicyVersion(ctx context.Context, c *authz.Caller, in *PolicyVersionInput) (*Empty, error) {
	ref, err := s.resolveLocalPolicy(ctx, c, in.PolicyArn, "iam:DeletePolicyVersion")
	if err != nil {
		return nil, err
	}
	err = s.inPolicyTx(ctx, ref.row.ARN, func(tx *sql.Tx, p *policyRow) error {
		if p.DefaultVersion == in.VersionId {
			return errorf(DeleteConflict, "Cannot delete the default version of a policy.")
		}
		if err := s.requireVersion(ctx, tx, p, in.PolicyArn, in.VersionId); err != nil {
			return err
		}
		return s.st.deleteVersion(ctx, tx, p.ID, in.VersionId)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// SetDefaultPolicyVersion makes a version the one in force.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, c *authz.Caller, in *PolicyVersionInput) (*Empty, error) {
	ref, err := s.resolveLocalPolicy(ctx, c, in.PolicyArn, "iam:SetDefaultPolicyVersion")
	if err != nil {
		return nil, err
	}
	err = s.inPolicyTx(ctx, ref.row.ARN, func(tx *sql.Tx, p *policyRow) error {
		if err := s.requireVersion(ctx, tx, p, in.PolicyArn, in.VersionId); err != nil {
			return err
		}
		return s.st.updatePolicyVersions(ctx, tx, p.ID, in.VersionId, p.NextVersion, s.clk.Now())
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}
