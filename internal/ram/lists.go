package ram

import (
	"context"
	"slices"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

// received returns the ACTIVE, STANDARD shares of other accounts that
// account is a member of right now (ARNs, oldest first), with the
// principal rows that make it one: its own account, user or role
// ASSOCIATED, or an organization or OU it belongs to (membership is read
// live).
func (s *Service) received(ctx context.Context, q querier, region, account string) ([]string, map[string][]*assocRow, error) {
	rows, err := receivedRows(ctx, q, region, account)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.d.Orgs.Membership(ctx, account)
	if err != nil {
		return nil, nil, err
	}
	by := map[string][]*assocRow{}
	var out []string
	for _, a := range rows {
		k, o, ou := classifyPrincipal(a.Entity)
		hit := a.Account == account && (a.ViaOrg == "" || m != nil && m.OrgID == a.ViaOrg) ||
			(k == principalOrg && m != nil && m.OrgID == o) ||
			(k == principalOU && m != nil && m.OrgID == o && strings.Contains(m.Path, "/"+ou+"/"))
		if !hit {
			continue
		}
		if by[a.ShareARN] == nil {
			out = append(out, a.ShareARN) // rows come in share order
		}
		by[a.ShareARN] = append(by[a.ShareARN], a)
	}
	return out, by, nil
}

// visibleShares is the SELF or OTHER-ACCOUNTS view of the caller's account.
func (s *Service) visibleShares(ctx context.Context, c *authz.Caller, owner string) ([]*shareRow, error) {
	if owner == "OTHER-ACCOUNTS" {
		arns, _, err := s.received(ctx, s.d.DB, regionOf(c), c.AccountID)
		if err != nil {
			return nil, err
		}
		return sharesByARN(ctx, s.d.DB, arns)
	}
	return sharesOf(ctx, s.d.DB, regionOf(c), c.AccountID)
}

// GetResourceShares lists the caller's shares (SELF) or those shared with
// it (OTHER-ACCOUNTS).
func (s *Service) GetResourceShares(ctx context.Context, c *authz.Caller, in *GetResourceSharesInput) (*GetResourceSharesOutput, error) {
	if err := s.authorize(ctx, c, "GetResourceShares", "*", "", nil); err != nil {
		return nil, err
	}
	if in.ResourceOwner == "OTHER-ACCOUNTS" && len(in.TagFilters) > 0 {
		return nil, errf(InvalidParameter, "You cannot use resourceOwner set to OTHER-ACCOUNTS and tagFilters in one request. Remove one of the parameters and try again.")
	}
	if in.PermissionArn != "" {
		if _, err := checkPermissionARN(in.PermissionArn); err != nil {
			return nil, err
		}
	}
	if err := s.expire(ctx); err != nil {
		return nil, err
	}
	shs, err := s.visibleShares(ctx, c, in.ResourceOwner)
	if err != nil {
		return nil, err
	}
	all := []ResourceShare{}
	for _, sh := range shs {
		if len(in.ResourceShareArns) > 0 && !slices.Contains(in.ResourceShareArns, sh.ARN) ||
			in.ResourceShareStatus != "" && sh.Status != in.ResourceShareStatus ||
			in.Name != "" && sh.Name != in.Name || !tagsMatch(sh.Tags, in.TagFilters) {
			continue
		}
		if in.PermissionArn != "" {
			perms, err := permsOfShare(ctx, s.d.DB, sh.ARN)
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(perms, func(p *permRow) bool { return p.PermissionARN == in.PermissionArn }) {
				continue
			}
		}
		all = append(all, sh.view())
	}
	page, next, err := paginate(s, "GetResourceShares\x00"+c.AccountID+"\x00"+in.ResourceOwner, all, in.Paging)
	if err != nil {
		return nil, err
	}
	return &GetResourceSharesOutput{ResourceShares: page, NextToken: next}, nil
}

func tagsMatch(tags []Tag, filters []TagFilter) bool {
	for _, f := range filters {
		ok := false
		for _, t := range tags {
			if t.Key == f.TagKey && (len(f.TagValues) == 0 || slices.Contains(f.TagValues, t.Value)) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// GetResourceShareAssociations is the owner's view of its shares'
// associations (DISASSOCIATED rows included).
func (s *Service) GetResourceShareAssociations(ctx context.Context, c *authz.Caller, in *GetResourceShareAssociationsInput) (*GetResourceShareAssociationsOutput, error) {
	if err := s.authorize(ctx, c, "GetResourceShareAssociations", "*", "", nil); err != nil {
		return nil, err
	}
	if in.AssociationType == "PRINCIPAL" && in.ResourceArn != "" || in.AssociationType == "RESOURCE" && in.Principal != "" {
		return nil, errf(InvalidParameter, "You cannot specify %s with associationType %s.",
			map[bool]string{true: "resourceArn", false: "principal"}[in.ResourceArn != ""], in.AssociationType)
	}
	if err := s.expire(ctx); err != nil {
		return nil, err
	}
	for _, arn := range in.ResourceShareArns {
		if _, err := s.ownShare(ctx, s.d.DB, c, arn); err != nil {
			return nil, err
		}
	}
	// One query for the page: the entity index serves a named resource or
	// principal (at most one applies to the type).
	scope := "GetResourceShareAssociations\x00" + c.AccountID
	off, limit, err := s.window(scope, in.Paging)
	if err != nil {
		return nil, err
	}
	rows, err := ownerAssocs(ctx, s.d.DB, assocFilter{Region: regionOf(c), Owner: c.AccountID, Kind: in.AssociationType,
		Entity: in.ResourceArn + in.Principal, Status: in.AssociationStatus, ShareARNs: in.ResourceShareArns}, off, limit+1)
	if err != nil {
		return nil, err
	}
	page, next := []ResourceShareAssociation{}, ""
	for i, r := range rows {
		if i == limit {
			next = s.pageToken(scope, off+limit)
			break
		}
		page = append(page, r.Share.assocView(r.Assoc))
	}
	return &GetResourceShareAssociationsOutput{ResourceShareAssociations: page, NextToken: next}, nil
}

// sharedEntities lists, for the SELF or OTHER-ACCOUNTS view, each visible
// ACTIVE share (ARNs in order) with its ASSOCIATED associations of kind
// ("" for both); for OTHER-ACCOUNTS mine holds the principal rows through
// which each share reaches the caller.
func (s *Service) sharedEntities(ctx context.Context, c *authz.Caller, owner, kind string, shareARNs []string) (arns []string, by, mine map[string][]*assocRow, err error) {
	for _, arn := range shareARNs {
		if _, _, err := parseARN(arn, "ram"); err != nil {
			return nil, nil, nil, err
		}
	}
	var all []string
	if owner == "OTHER-ACCOUNTS" {
		if all, mine, err = s.received(ctx, s.d.DB, regionOf(c), c.AccountID); err != nil {
			return nil, nil, nil, err
		}
	} else {
		shs, err := sharesOf(ctx, s.d.DB, regionOf(c), c.AccountID)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, sh := range shs {
			if sh.Status == "ACTIVE" {
				all = append(all, sh.ARN)
			}
		}
	}
	for _, arn := range all {
		if len(shareARNs) == 0 || slices.Contains(shareARNs, arn) {
			arns = append(arns, arn)
		}
	}
	by, err = assocsOfShares(ctx, s.d.DB, arns, kind)
	return arns, by, mine, err
}

func parseARN(arn, service string) ([]string, string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[5] == "" || service != "" && parts[2] != service {
		return nil, "", errf(MalformedArn, "The ARN %s is malformed.", arn)
	}
	return parts, parts[5], nil
}

func checkResourceType(t string) error {
	if t != "" && !strings.EqualFold(t, ResourceTypeCA) {
		return errf(InvalidResourceType, "The specified resource type %s is not valid.", t)
	}
	return nil
}

// ListResources lists the CAs in the caller's shares or shared with it.
func (s *Service) ListResources(ctx context.Context, c *authz.Caller, in *ListResourcesInput) (*ResourcesOutput, error) {
	if err := s.authorize(ctx, c, "ListResources", "*", "", nil); err != nil {
		return nil, err
	}
	if err := checkResourceType(in.ResourceType); err != nil {
		return nil, err
	}
	if in.Principal != "" && in.ResourceOwner == "OTHER-ACCOUNTS" {
		return nil, errf(InvalidParameter, "You cannot specify a principal when resourceOwner is OTHER-ACCOUNTS.")
	}
	if err := s.expire(ctx); err != nil {
		return nil, err
	}
	kind := "RESOURCE"
	if in.Principal != "" {
		kind = "" // the principal filter reads the principal rows too
	}
	arns, by, _, err := s.sharedEntities(ctx, c, in.ResourceOwner, kind, in.ResourceShareArns)
	if err != nil {
		return nil, err
	}
	all := []Resource{}
	if in.ResourceRegionScope != "GLOBAL" {
		for _, arn := range arns {
			if in.Principal != "" && !slices.ContainsFunc(by[arn], func(a *assocRow) bool { return a.Kind == "PRINCIPAL" && a.Entity == in.Principal }) {
				continue
			}
			for _, a := range by[arn] {
				if a.Kind != "RESOURCE" || len(in.ResourceArns) > 0 && !slices.Contains(in.ResourceArns, a.Entity) {
					continue
				}
				all = append(all, Resource{Arn: a.Entity, Type: ResourceTypeCA, ResourceShareArn: arn, Status: "AVAILABLE",
					CreationTime: a.Created, LastUpdatedTime: a.Updated, ResourceRegionScope: "REGIONAL"})
			}
		}
	}
	page, next, err := paginate(s, "ListResources\x00"+c.AccountID+"\x00"+in.ResourceOwner, all, in.Paging)
	if err != nil {
		return nil, err
	}
	return &ResourcesOutput{Resources: page, NextToken: next}, nil
}

// ListPrincipals lists the principals of the caller's shares (SELF) or,
// for OTHER-ACCOUNTS, the principals through which shares reach it.
func (s *Service) ListPrincipals(ctx context.Context, c *authz.Caller, in *ListPrincipalsInput) (*ListPrincipalsOutput, error) {
	if err := s.authorize(ctx, c, "ListPrincipals", "*", "", nil); err != nil {
		return nil, err
	}
	if err := checkResourceType(in.ResourceType); err != nil {
		return nil, err
	}
	if err := s.expire(ctx); err != nil {
		return nil, err
	}
	arns, by, mine, err := s.sharedEntities(ctx, c, in.ResourceOwner, "", in.ResourceShareArns)
	if err != nil {
		return nil, err
	}
	all := []Principal{}
	for _, arn := range arns {
		if in.ResourceArn != "" && !slices.ContainsFunc(by[arn], func(a *assocRow) bool { return a.Kind == "RESOURCE" && a.Entity == in.ResourceArn }) {
			continue
		}
		list := by[arn]
		if mine != nil {
			list = mine[arn]
		}
		for _, a := range list {
			if a.Kind != "PRINCIPAL" || len(in.Principals) > 0 && !slices.Contains(in.Principals, a.Entity) {
				continue
			}
			all = append(all, Principal{ID: a.Entity, ResourceShareArn: arn, CreationTime: a.Created, LastUpdatedTime: a.Updated, External: a.External})
		}
	}
	page, next, err := paginate(s, "ListPrincipals\x00"+c.AccountID+"\x00"+in.ResourceOwner, all, in.Paging)
	if err != nil {
		return nil, err
	}
	return &ListPrincipalsOutput{Principals: page, NextToken: next}, nil
}

// GetResourcePolicies returns the policies RAM wrote for the caller's CAs.
func (s *Service) GetResourcePolicies(ctx context.Context, c *authz.Caller, in *GetResourcePoliciesInput) (*GetResourcePoliciesOutput, error) {
	if err := s.authorize(ctx, c, "GetResourcePolicies", "*", "", nil); err != nil {
		return nil, err
	}
	all := []string{}
	for _, arn := range in.ResourceArns {
		parts, _, err := parseARN(arn, "")
		if err != nil {
			return nil, err
		}
		if parts[4] != c.AccountID || parts[3] != regionOf(c) {
			return nil, errf(ResourceArnNotFound, "The resource %s could not be found.", arn)
		}
		doc, ok, err := s.d.CAs.StoredPolicy(ctx, arn)
		if err != nil {
			return nil, err
		}
		if ok && (in.Principal == "" || strings.Contains(doc, `"`+in.Principal+`"`) || strings.Contains(doc, ":"+in.Principal+":root")) {
			all = append(all, doc)
		}
	}
	page, next, err := paginate(s, "GetResourcePolicies\x00"+c.AccountID+strings.Join(in.ResourceArns, ","), all, in.Paging)
	if err != nil {
		return nil, err
	}
	return &GetResourcePoliciesOutput{Policies: page, NextToken: next}, nil
}
