package ram

import (
	"context"
	"database/sql"
	"slices"

	"github.com/openpca/openpca/internal/authz"
)

// ListResourceSharePermissions lists the permission attached to a share.
func (s *Service) ListResourceSharePermissions(ctx context.Context, c *authz.Caller, in *ListResourceSharePermissionsInput) (*PermissionsOutput, error) {
	if err := s.authorizeShare(ctx, c, "ListResourceSharePermissions", in.ResourceShareArn, nil); err != nil {
		return nil, err
	}
	sh, err := s.ownShare(ctx, s.d.DB, c, in.ResourceShareArn)
	if err != nil {
		return nil, err
	}
	perms, err := permsOfShare(ctx, s.d.DB, sh.ARN)
	if err != nil {
		return nil, err
	}
	all := []ResourceSharePermissionSummary{}
	for _, p := range perms {
		if mp := permissionByARN(p.PermissionARN); mp != nil {
			v := mp.summary("ASSOCIATED")
			all = append(all, v)
		}
	}
	page, next, err := paginate(s, "ListResourceSharePermissions\x00"+sh.ARN, all, in.Paging)
	if err != nil {
		return nil, err
	}
	return &PermissionsOutput{Permissions: page, NextToken: next}, nil
}

// AssociateResourceSharePermission sets the share's permission for CAs:
// replacing an existing one needs replace=true; adding one to a share that
// already holds CAs without replace is refused (§3.2).
func (s *Service) AssociateResourceSharePermission(ctx context.Context, c *authz.Caller, in *AssociateResourceSharePermissionInput) (*ReturnValueOutput, error) {
	if err := s.authorizeShare(ctx, c, "AssociateResourceSharePermission", in.ResourceShareArn,
		map[string][]string{"ram:PermissionArn": {in.PermissionArn}}); err != nil {
		return nil, err
	}
	mp, err := checkPermissionARN(in.PermissionArn)
	if err != nil {
		return nil, err
	}
	if in.PermissionVersion != nil && *in.PermissionVersion != 1 {
		return nil, errf(InvalidParameter, "Only the default version of %s can be associated.", in.PermissionArn)
	}
	replace := in.Replace != nil && *in.Replace
	var out *ReturnValueOutput
	err = s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := s.ownShare(ctx, tx, c, in.ResourceShareArn)
		if err != nil {
			return err
		}
		out, err = idempotent(ctx, s, tx, c, "AssociateResourceSharePermission", in.ClientToken, in, func() (*ReturnValueOutput, error) {
			if sh.Status != "ACTIVE" || sh.FeatureSet != "STANDARD" {
				return nil, errf(OperationNotPermitted, "The permissions of the resource share %s cannot be changed in its current state.", sh.ARN)
			}
			perms, err := permsOfShare(ctx, tx, sh.ARN)
			if err != nil {
				return nil, err
			}
			has := slices.ContainsFunc(perms, func(p *permRow) bool { return p.ResourceType == ResourceTypeCA })
			if has && !replace && !slices.ContainsFunc(perms, func(p *permRow) bool { return p.PermissionARN == mp.arn() }) {
				return nil, errf(InvalidParameter, "The resource share %s already has a permission for %s; set replace to true to replace it.", sh.ARN, ResourceTypeCA)
			}
			now := s.d.Clock.Now()
			if err := putPerm(ctx, tx, sh.Region, &permRow{ShareARN: sh.ARN, ResourceType: ResourceTypeCA, PermissionARN: mp.arn(),
				Version: "1", Created: now, Updated: now}); err != nil {
				return nil, err
			}
			return &ReturnValueOutput{ReturnValue: true, ClientToken: in.ClientToken}, w.regenerateShare(ctx, sh)
		})
		return err
	})
	return out, err
}

// DisassociateResourceSharePermission removes the share's permission; a
// share that still holds CAs must keep one.
func (s *Service) DisassociateResourceSharePermission(ctx context.Context, c *authz.Caller, in *DisassociateResourceSharePermissionInput) (*ReturnValueOutput, error) {
	if err := s.authorizeShare(ctx, c, "DisassociateResourceSharePermission", in.ResourceShareArn,
		map[string][]string{"ram:PermissionArn": {in.PermissionArn}}); err != nil {
		return nil, err
	}
	mp, err := checkPermissionARN(in.PermissionArn)
	if err != nil {
		return nil, err
	}
	var out *ReturnValueOutput
	err = s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := s.ownShare(ctx, tx, c, in.ResourceShareArn)
		if err != nil {
			return err
		}
		out, err = idempotent(ctx, s, tx, c, "DisassociateResourceSharePermission", in.ClientToken, in, func() (*ReturnValueOutput, error) {
			perms, err := permsOfShare(ctx, tx, sh.ARN)
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(perms, func(p *permRow) bool { return p.PermissionARN == mp.arn() }) {
				return nil, errf(UnknownResource, "The permission %s is not associated with the resource share %s.", mp.arn(), sh.ARN)
			}
			as, err := assocsOfShare(ctx, tx, sh.ARN)
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(as, func(a *assocRow) bool { return a.Kind == "RESOURCE" && a.Status == "ASSOCIATED" }) {
				return nil, errf(InvalidStateTransition, "The resource share %s still holds resources of type %s; it must keep a permission for them.", sh.ARN, ResourceTypeCA)
			}
			return &ReturnValueOutput{ReturnValue: true, ClientToken: in.ClientToken}, deletePerm(ctx, tx, sh.ARN, ResourceTypeCA)
		})
		return err
	})
	return out, err
}

// TagResource adds or replaces tags on a share.
func (s *Service) TagResource(ctx context.Context, c *authz.Caller, in *TagResourceInput) (*Empty, error) {
	keys := map[string][]string{"aws:TagKeys": tagKeys(in.Tags)}
	for _, t := range in.Tags {
		keys["aws:RequestTag/"+t.Key] = []string{t.Value}
	}
	if err := s.authorizeShare(ctx, c, "TagResource", in.ResourceShareArn, keys); err != nil {
		return nil, err
	}
	if in.ResourceShareArn == "" {
		return nil, errf(InvalidParameter, "Only resource shares can be tagged here; specify resourceShareArn.")
	}
	return &Empty{}, s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := s.ownShare(ctx, tx, c, in.ResourceShareArn)
		if err != nil {
			return err
		}
		for _, t := range in.Tags {
			if i := slices.IndexFunc(sh.Tags, func(x Tag) bool { return x.Key == t.Key }); i >= 0 {
				sh.Tags[i].Value = t.Value
			} else {
				sh.Tags = append(sh.Tags, t)
			}
		}
		if len(sh.Tags) > 50 {
			return errf(TagLimitExceeded, "A resource share can have at most 50 tags.")
		}
		sh.Updated = s.d.Clock.Now()
		return putShare(ctx, tx, sh)
	})
}

// UntagResource removes tags from a share.
func (s *Service) UntagResource(ctx context.Context, c *authz.Caller, in *UntagResourceInput) (*Empty, error) {
	if err := s.authorizeShare(ctx, c, "UntagResource", in.ResourceShareArn, map[string][]string{"aws:TagKeys": in.TagKeys}); err != nil {
		return nil, err
	}
	if in.ResourceShareArn == "" {
		return nil, errf(InvalidParameter, "Only resource shares can be untagged here; specify resourceShareArn.")
	}
	return &Empty{}, s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		sh, err := s.ownShare(ctx, tx, c, in.ResourceShareArn)
		if err != nil {
			return err
		}
		sh.Tags = slices.DeleteFunc(sh.Tags, func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		sh.Updated = s.d.Clock.Now()
		return putShare(ctx, tx, sh)
	})
}
