package ram

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// ResourceTypeCA is the only resource type this RAM shares.
const ResourceTypeCA = "acm-pca:CertificateAuthority"

// caReads are the five read actions every acm-pca managed permission grants
// (reference §3.2).
var caReads = []string{
	"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
	"acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions", "acm-pca:ListTags",
}

// permStatement is one statement of a permission template: no Principal
// and no Resource, RAM fills them in per principal and resource.
type permStatement struct {
	Actions   []string
	Condition map[string]map[string]any
}

// managedPermission is an AWS managed permission (version 1, 2021-06-09).
type managedPermission struct {
	Name       string
	Default    bool
	Statements []permStatement
}

var permissionsCreated = time.Date(2021, 6, 9, 0, 0, 0, 0, time.UTC)

func issueWith(template string) permStatement {
	return permStatement{Actions: []string{"acm-pca:IssueCertificate"},
		Condition: map[string]map[string]any{"StringEquals": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/" + template + "/V1"}}}
}

// managedPermissions are RAM's AWS managed permissions for CAs, in
// ListPermissions order.
var managedPermissions = []managedPermission{
	{"AWSRAMBlankEndEntityCertificateAPICSRPassthroughIssuanceCertificateAuthority", false,
		[]permStatement{{Actions: caReads}, issueWith("BlankEndEntityCertificate_APICSRPassthrough")}},
	{"AWSRAMBlankEndEntityCertificateAPIPassthroughIssuanceCertificateAuthority", false,
		[]permStatement{{Actions: caReads}, issueWith("BlankEndEntityCertificate_APIPassthrough")}},
	{"AWSRAMDefaultPermissionCertificateAuthority", true,
		[]permStatement{{Actions: caReads}, issueWith("EndEntityCertificate")}},
	{"AWSRAMRevokeCertificateCertificateAuthority", false,
		[]permStatement{{Actions: append(append([]string{}, caReads...), "acm-pca:RevokeCertificate")}}},
	{"AWSRAMSubordinateCACertificatePathLen0IssuanceCertificateAuthority", false,
		[]permStatement{{Actions: caReads}, issueWith("SubordinateCACertificate_PathLen0")}},
}

const permissionARNPrefix = "arn:aws:ram::aws:permission/"

func permissionByARN(arn string) *managedPermission {
	name, ok := strings.CutPrefix(arn, permissionARNPrefix)
	if !ok {
		return nil
	}
	for i := range managedPermissions {
		if managedPermissions[i].Name == name {
			return &managedPermissions[i]
		}
	}
	return nil
}

func defaultPermission() *managedPermission {
	return permissionByARN(permissionARNPrefix + "AWSRAMDefaultPermissionCertificateAuthority")
}

func (p *managedPermission) arn() string { return permissionARNPrefix + p.Name }

// template is GetPermission's permission document: the statements without
// Principal and Resource.
func (p *managedPermission) template() string {
	var stmts []map[string]any
	for _, st := range p.Statements {
		m := map[string]any{"Effect": "Allow", "Action": st.Actions}
		if st.Condition != nil {
			m["Condition"] = st.Condition
		}
		stmts = append(stmts, m)
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	return string(b)
}

func (p *managedPermission) summary(status string) ResourceSharePermissionSummary {
	return ResourceSharePermissionSummary{Arn: p.arn(), Version: "1", DefaultVersion: true, Name: p.Name,
		ResourceType: ResourceTypeCA, Status: status, CreationTime: permissionsCreated, LastUpdatedTime: permissionsCreated,
		IsResourceTypeDefault: p.Default, PermissionType: "AWS_MANAGED", FeatureSet: "STANDARD"}
}

// checkPermissionARN answers MalformedArn / UnknownResource for a
// permission ARN that is not one of ours.
func checkPermissionARN(arn string) (*managedPermission, error) {
	if !strings.HasPrefix(arn, "arn:") || strings.Count(arn, ":") < 5 {
		return nil, errf(MalformedArn, "The permission ARN %s is malformed.", arn)
	}
	p := permissionByARN(arn)
	if p == nil {
		return nil, errf(UnknownResource, "The permission %s could not be found.", arn)
	}
	return p, nil
}

// ListPermissions lists the managed permissions, filtered by resource type
// (case-insensitive) and permission type.
func (s *Service) ListPermissions(ctx context.Context, c *authz.Caller, in *ListPermissionsInput) (*PermissionsOutput, error) {
	if err := s.authorize(ctx, c, "ListPermissions", "*", "", nil); err != nil {
		return nil, err
	}
	var all []ResourceSharePermissionSummary
	if in.PermissionType != "CUSTOMER_MANAGED" && (in.ResourceType == "" || strings.EqualFold(in.ResourceType, ResourceTypeCA)) {
		for i := range managedPermissions {
			all = append(all, managedPermissions[i].summary("ATTACHABLE"))
		}
	}
	page, next, err := paginate(s, "ListPermissions\x00"+c.AccountID+in.ResourceType+in.PermissionType, all, in.Paging)
	if err != nil {
		return nil, err
	}
	return &PermissionsOutput{Permissions: page, NextToken: next}, nil
}

// GetPermission returns a managed permission with its template.
func (s *Service) GetPermission(ctx context.Context, c *authz.Caller, in *GetPermissionInput) (*GetPermissionOutput, error) {
	if err := s.authorize(ctx, c, "GetPermission", in.PermissionArn, "", nil); err != nil {
		return nil, err
	}
	p, err := checkPermissionARN(in.PermissionArn)
	if err != nil {
		return nil, err
	}
	if in.PermissionVersion != nil && *in.PermissionVersion != 1 {
		return nil, errf(UnknownResource, "Version %d of the permission %s could not be found.", *in.PermissionVersion, in.PermissionArn)
	}
	sum := p.summary("ATTACHABLE")
	return &GetPermissionOutput{Permission: &ResourceSharePermissionDetail{Arn: sum.Arn, Version: sum.Version,
		DefaultVersion: true, Name: p.Name, ResourceType: ResourceTypeCA, Permission: p.template(),
		CreationTime: sum.CreationTime, LastUpdatedTime: sum.LastUpdatedTime, IsResourceTypeDefault: p.Default,
		PermissionType: "AWS_MANAGED", FeatureSet: "STANDARD", Status: "ATTACHABLE"}}, nil
}

// ListPermissionVersions lists a permission's versions (only version 1).
func (s *Service) ListPermissionVersions(ctx context.Context, c *authz.Caller, in *ListPermissionVersionsInput) (*PermissionsOutput, error) {
	if err := s.authorize(ctx, c, "ListPermissionVersions", in.PermissionArn, "", nil); err != nil {
		return nil, err
	}
	p, err := checkPermissionARN(in.PermissionArn)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(s, "ListPermissionVersions\x00"+in.PermissionArn, []ResourceSharePermissionSummary{p.summary("ATTACHABLE")}, in.Paging)
	if err != nil {
		return nil, err
	}
	return &PermissionsOutput{Permissions: page, NextToken: next}, nil
}

// ListResourceTypes lists the shareable resource types.
func (s *Service) ListResourceTypes(ctx context.Context, c *authz.Caller, in *ListResourceTypesInput) (*ListResourceTypesOutput, error) {
	if err := s.authorize(ctx, c, "ListResourceTypes", "*", "", nil); err != nil {
		return nil, err
	}
	all := []ServiceNameAndResourceType{}
	if in.ResourceRegionScope != "GLOBAL" {
		all = append(all, ServiceNameAndResourceType{ResourceType: ResourceTypeCA, ServiceName: "acm-pca", ResourceRegionScope: "REGIONAL"})
	}
	page, next, err := paginate(s, "ListResourceTypes\x00"+in.ResourceRegionScope, all, in.Paging)
	if err != nil {
		return nil, err
	}
	return &ListResourceTypesOutput{ResourceTypes: page, NextToken: next}, nil
}
