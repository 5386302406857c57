package ram

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/authz"
)

func (sh *shareRow) view() ResourceShare {
	v := ResourceShare{ResourceShareArn: sh.ARN, Name: sh.Name, OwningAccountID: sh.Owner, AllowExternalPrincipals: sh.AllowExternal,
		Status: sh.Status, Tags: sh.Tags, CreationTime: sh.Created, LastUpdatedTime: sh.Updated, FeatureSet: sh.FeatureSet}
	if sh.Retain {
		t := true
		v.ResourceShareConfiguration = &ResourceShareConfiguration{RetainSharingOnAccountLeaveOrganization: &t}
	}
	return v
}

// ownShare loads a share the caller owns in the request's region:
// MalformedArn for a bad ARN, UnknownResource for another's or none.
func (s *Service) ownShare(ctx context.Context, q querier, c *authz.Caller, arn string) (*shareRow, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ram" || !strings.HasPrefix(parts[5], "resource-share/") {
		return nil, errf(MalformedArn, "The resource share ARN %s is malformed.", arn)
	}
	sh, err := getShare(ctx, q, arn)
	if err != nil {
		return nil, err
	}
	if sh == nil || sh.Owner != c.AccountID || sh.Region != regionOf(c) {
		return nil, errf(UnknownResource, "ResourceShare %s could not be found.", arn)
	}
	return sh, nil
}

func tagKeys(tags []Tag) []string {
	var ks []string
	for _, t := range tags {
		ks = append(ks, t.Key)
	}
	return ks
}

// CreateResourceShare creates a share, associates its resources and
// principals, and writes the CAs' policies, all in one transaction.
func (s *Service) CreateResourceShare(ctx context.Context, c *authz.Caller, in *CreateResourceShareInput) (*ResourceShareOutput, error) {
	allow := in.AllowExternalPrincipals == nil || *in.AllowExternalPrincipals
	keys := map[string][]string{"ram:RequestedAllowsExternalPrincipals": {strconv.FormatBool(allow)}}
	if len(in.ResourceArns) > 0 {
		keys["ram:RequestedResourceType"] = []string{ResourceTypeCA}
		keys["ram:ResourceArn"] = in.ResourceArns
	}
	if len(in.Principals) > 0 {
		keys["ram:Principal"] = in.Principals
	}
	if len(in.Tags) > 0 {
		keys["aws:TagKeys"] = tagKeys(in.Tags)
		for _, t := range in.Tags {
			keys["aws:RequestTag/"+t.Key] = []string{t.Value}
		}
	}
	id := uuid.NewString()
	if err := s.authorize(ctx, c, "CreateResourceShare", s.shareARN(c, id), "", keys); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, errf(InvalidParameter, "The name of a resource share must not be empty.")
	}
	if len(in.Sources) > 0 {
		return nil, errf(InvalidParameter, "Sources apply to service principals, which cannot be granted access to %s resources.", ResourceTypeCA)
	}
	if len(in.Tags) > 50 {
		return nil, errf(TagLimitExceeded, "A resource share can have at most 50 tags.")
	}
	var perm *managedPermission
	for _, p := range in.PermissionArns {
		mp, err := checkPermissionARN(p)
		if err != nil {
			return nil, err
		}
		if perm != nil && perm != mp {
			return nil, errf(InvalidParameter, "You can associate only one permission per resource type with a resource share.")
		}
		perm = mp
	}
	for _, r := range in.ResourceArns {
		if err := s.checkCA(ctx, c, r); err != nil {
			return nil, err
		}
	}
	ov, err := s.orgViewFor(ctx, c.AccountID, in.Principals)
	if err != nil {
		return nil, err
	}
	var out *ResourceShareOutput
	err = s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		var err error
		out, err = idempotent(ctx, s, tx, c, "CreateResourceShare", in.ClientToken, in, func() (*ResourceShareOutput, error) {
			now := s.d.Clock.Now()
			sh := &shareRow{ARN: s.shareARN(c, id), Region: regionOf(c), Owner: c.AccountID, Name: in.Name, AllowExternal: allow,
				Status: "ACTIVE", FeatureSet: "STANDARD", Tags: in.Tags, Created: now, Updated: now}
			if cfg := in.ResourceShareConfiguration; cfg != nil && cfg.RetainSharingOnAccountLeaveOrganization != nil {
				sh.Retain = *cfg.RetainSharingOnAccountLeaveOrganization
			}
			if err := putShare(ctx, tx, sh); err != nil {
				return nil, err
			}
			if perm != nil {
				if err := putPerm(ctx, tx, sh.Region, &permRow{ShareARN: sh.ARN, ResourceType: ResourceTypeCA, PermissionARN: perm.arn(),
					Version: "1", Created: now, Updated: now}); err != nil {
					return nil, err
				}
			}
			for _, r := range in.ResourceArns {
				if _, err := w.addResource(ctx, sh, r); err != nil {
					return nil, err
				}
			}
			for _, p := range in.Principals {
				if _, err := w.addPrincipal(ctx, ov, sh, p); err != nil {
					return nil, err
				}
			}
			v := sh.view()
			return &ResourceShareOutput{ResourceShare: &v, ClientToken: in.ClientToken}, nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateResourceShare renames a share or changes allowExternalPrincipals.
func (s *Service) UpdateResourceShare(ctx context.Context, c *authz.Caller, in *UpdateResourceShareInput) (*ResourceShareOutput, error) {
	keys := map[string][]string{}
	if in.AllowExternalPrincipals != nil {
		keys["ram:RequestedAllowsExternalPrincipals"] = []string{strconv.FormatBool(*in.AllowExternalPrincipals)}
	}
	if err := s.authorizeShare(ctx, c, "UpdateResourceShare", in.ResourceShareArn, keys); err != nil {
		return nil, err
	}
	var out *ResourceShareOutput
	err := s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := s.ownShare(ctx, tx, c, in.ResourceShareArn)
		if err != nil {
			return err
		}
		out, err = idempotent(ctx, s, tx, c, "UpdateResourceShare", in.ClientToken, in, func() (*ResourceShareOutput, error) {
			if sh.Status != "ACTIVE" || sh.FeatureSet == "CREATED_FROM_POLICY" {
				return nil, errf(OperationNotPermitted, "The resource share %s cannot be updated in its current state.", sh.ARN)
			}
			if in.Name != "" {
				sh.Name = in.Name
			}
			if in.AllowExternalPrincipals != nil {
				sh.AllowExternal = *in.AllowExternalPrincipals
			}
			sh.Updated = s.d.Clock.Now()
			if err := putShare(ctx, tx, sh); err != nil {
				return nil, err
			}
			v := sh.view()
			return &ResourceShareOutput{ResourceShare: &v, ClientToken: in.ClientToken}, nil
		})
		return err
	})
	return out, err
}

// DeleteResourceShare deletes a share; its CAs' policies lose its statements.
func (s *Service) DeleteResourceShare(ctx context.Context, c *authz.Caller, in *DeleteResourceShareInput) (*ReturnValueOutput, error) {
	if err := s.authorizeShare(ctx, c, "DeleteResourceShare", in.ResourceShareArn, nil); err != nil {
		return nil, err
	}
	var out *ReturnValueOutput
	err := s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := s.ownShare(ctx, tx, c, in.ResourceShareArn)
		if err != nil {
			return err
		}
		out, err = idempotent(ctx, s, tx, c, "DeleteResourceShare", in.ClientToken, in, func() (*ReturnValueOutput, error) {
			if sh.Status == "DELETED" {
				return nil, errf(InvalidStateTransition, "The resource share %s is already deleted.", sh.ARN)
			}
			return &ReturnValueOutput{ReturnValue: true, ClientToken: in.ClientToken}, w.deleteShare(ctx, sh)
		})
		return err
	})
	return out, err
}

func (w *writer) deleteShare(ctx context.Context, sh *shareRow) error {
	sh.Status, sh.Updated = "DELETED", w.s.d.Clock.Now()
	if err := putShare(ctx, w.tx, sh); err != nil {
		return err
	}
	as, err := assocsOfShare(ctx, w.tx, sh.ARN)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Status == "DISASSOCIATED" {
			continue
		}
		if err := w.drop(ctx, sh, a); err != nil {
			return err
		}
	}
	invs, err := invsOfShare(ctx, w.tx, sh.ARN)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if inv.Status == "PENDING" {
			inv.Status, inv.Updated = "EXPIRED", sh.Updated
			if err := putInv(ctx, w.tx, inv); err != nil {
				return err
			}
		}
	}
	return nil
}

// AssociateResourceShare adds resources and principals to a share.
func (s *Service) AssociateResourceShare(ctx context.Context, c *authz.Caller, in *AssociateResourceShareInput) (*AssociationsOutput, error) {
	keys := map[string][]string{}
	if len(in.ResourceArns) > 0 {
		keys["ram:RequestedResourceType"] = []string{ResourceTypeCA}
		keys["ram:ResourceArn"] = in.ResourceArns
	}
	if len(in.Principals) > 0 {
		keys["ram:Principal"] = in.Principals
	}
	if err := s.authorizeShare(ctx, c, "AssociateResourceShare", in.ResourceShareArn, keys); err != nil {
		return nil, err
	}
	if len(in.ResourceArns) == 0 && len(in.Principals) == 0 {
		return nil, errf(InvalidParameter, "You must specify at least one resource or principal to associate.")
	}
	if len(in.Sources) > 0 {
		return nil, errf(InvalidParameter, "Sources apply to service principals, which cannot be granted access to %s resources.", ResourceTypeCA)
	}
	for _, r := range in.ResourceArns {
		if err := s.checkCA(ctx, c, r); err != nil {
			return nil, err
		}
	}
	ov, err := s.orgViewFor(ctx, c.AccountID, in.Principals)
	if err != nil {
		return nil, err
	}
	var out *AssociationsOutput
	err = s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := s.ownShare(ctx, tx, c, in.ResourceShareArn)
		if err != nil {
			return err
		}
		out, err = idempotent(ctx, s, tx, c, "AssociateResourceShare", in.ClientToken, in, func() (*AssociationsOutput, error) {
			if sh.Status != "ACTIVE" {
				return nil, errf(InvalidStateTransition, "The resource share %s is %s.", sh.ARN, sh.Status)
			}
			if sh.FeatureSet == "CREATED_FROM_POLICY" {
				return nil, errf(OperationNotPermitted, "The resource share %s was created from a policy; promote it before changing it.", sh.ARN)
			}
			o := &AssociationsOutput{ResourceShareAssociations: []ResourceShareAssociation{}, ClientToken: in.ClientToken}
			for _, r := range in.ResourceArns {
				a, err := w.addResource(ctx, sh, r)
				if err != nil {
					return nil, err
				}
				o.ResourceShareAssociations = append(o.ResourceShareAssociations, sh.assocView(a))
			}
			for _, p := range in.Principals {
				a, err := w.addPrincipal(ctx, ov, sh, p)
				if err != nil {
					return nil, err
				}
				o.ResourceShareAssociations = append(o.ResourceShareAssociations, sh.assocView(a))
			}
			return o, nil
		})
		return err
	})
	return out, err
}

// DisassociateResourceShare removes resources and principals from a share.
// A recipient cannot leave a CA share (CAs are not on RAM's list of types
// that allow it).
func (s *Service) DisassociateResourceShare(ctx context.Context, c *authz.Caller, in *AssociateResourceShareInput) (*AssociationsOutput, error) {
	keys := map[string][]string{}
	if len(in.ResourceArns) > 0 {
		keys["ram:ResourceArn"] = in.ResourceArns
	}
	if len(in.Principals) > 0 {
		keys["ram:Principal"] = in.Principals
	}
	if err := s.authorizeShare(ctx, c, "DisassociateResourceShare", in.ResourceShareArn, keys); err != nil {
		return nil, err
	}
	var out *AssociationsOutput
	err := s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := getShare(ctx, tx, in.ResourceShareArn)
		if err != nil {
			return err
		}
		if sh != nil && sh.Owner != c.AccountID && len(in.ResourceArns) == 0 && slices.Equal(in.Principals, []string{c.AccountID}) {
			return errf(OperationNotPermitted, "You cannot leave the resource share %s: it contains resources of type %s, which do not support leaving.", sh.ARN, ResourceTypeCA)
		}
		if sh, err = s.ownShare(ctx, tx, c, in.ResourceShareArn); err != nil {
			return err
		}
		out, err = idempotent(ctx, s, tx, c, "DisassociateResourceShare", in.ClientToken, in, func() (*AssociationsOutput, error) {
			if sh.Status != "ACTIVE" {
				return nil, errf(InvalidStateTransition, "The resource share %s is %s.", sh.ARN, sh.Status)
			}
			o := &AssociationsOutput{ResourceShareAssociations: []ResourceShareAssociation{}, ClientToken: in.ClientToken}
			for _, kl := range []struct {
				kind string
				list []string
			}{{"RESOURCE", in.ResourceArns}, {"PRINCIPAL", in.Principals}} {
				kind := kl.kind
				for _, e := range kl.list {
					a, err := findAssoc(ctx, w, sh.ARN, kind, e)
					if err != nil {
						return nil, err
					}
					if a == nil || a.Status == "DISASSOCIATED" {
						return nil, errf(UnknownResource, "%s is not associated with the resource share %s.", e, sh.ARN)
					}
					if err := w.drop(ctx, sh, a); err != nil {
						return nil, err
					}
					v := sh.assocView(a)
					v.Status = "DISASSOCIATING"
					o.ResourceShareAssociations = append(o.ResourceShareAssociations, v)
				}
			}
			return o, nil
		})
		return err
	})
	return out, err
}
