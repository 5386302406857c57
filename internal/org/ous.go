package org

import (
	"context"
	"database/sql"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

const (
	maxDepth = 5    // OU nesting below the root
	maxOUs   = 1000 // per organization
)

type CreateOrganizationalUnitInput struct {
	ParentId string `required:"true" max:"100" pattern:"^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"`
	Name     string `required:"true" min:"1" max:"128" pattern:"[\\s\\S]*"`
	Tags     []Tag
}

type OrganizationalUnitOutput struct {
	OrganizationalUnit *OrganizationalUnit
}

// CreateOrganizationalUnit creates an OU under a root or OU, at most five
// levels deep; with SCPs enabled it starts with FullAWSAccess attached.
func (s *Service) CreateOrganizationalUnit(ctx context.Context, c *authz.Caller, in *CreateOrganizationalUnitInput) (*OrganizationalUnitOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:CreateOrganizationalUnit", management,
		func(o *orgRow) string { return s.arn.unit(o, in.ParentId) }, tagContext(in.Tags))
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	o := ss.org
	u := &unitRow{ID: newOUID(o.RootID), OrgID: o.ID, ParentID: in.ParentId, Name: in.Name, CreatedAt: s.clk.Now()}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		ch, err := s.st.chain(ctx, tx, o.ID, in.ParentId)
		if err != nil {
			return err
		}
		if ch == nil {
			return errorf(ParentNotFound, "We can't find a root or OU with the ParentId that you specified.")
		}
		if len(ch) > maxDepth { // the chain counts the root
			return reasonf(ConstraintViolation, "OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.")
		}
		if n, err := s.st.countUnits(ctx, tx, o.ID); err != nil {
			return err
		} else if n >= maxOUs {
			return reasonf(ConstraintViolation, "OU_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of OUs that you can have in an organization.")
		}
		if err := s.checkOUName(ctx, tx, o.ID, in.ParentId, in.Name, ""); err != nil {
			return err
		}
		if err := s.st.insertUnit(ctx, tx, u); err != nil {
			return err
		}
		if err := s.st.putTags(ctx, tx, o.ID, u.ID, in.Tags); err != nil {
			return err
		}
		return s.attachDefaults(ctx, tx, o, u.ID)
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errDuplicateOU
		}
		return nil, err
	}
	shape, err := s.ouShape(ctx, o, u)
	if err != nil {
		return nil, err
	}
	return &OrganizationalUnitOutput{OrganizationalUnit: shape}, nil
}

var errDuplicateOU = errorf(DuplicateOrganizationalUnit, "An OU with the same name already exists.")

// checkOUName fails when another OU under parent has the name (AWS compares
// names exactly).
func (s *Service) checkOUName(ctx context.Context, q querier, orgID, parentID, name, self string) error {
	siblings, err := s.st.unitsOf(ctx, q, orgID, parentID)
	if err != nil {
		return err
	}
	for _, sib := range siblings {
		if sib.Name == name && sib.ID != self {
			return errDuplicateOU
		}
	}
	return nil
}

type OrganizationalUnitIdInput struct {
	OrganizationalUnitId string `required:"true" max:"68" pattern:"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"`
}

// ou loads an OU of the caller's organization.
func (s *Service) ou(ctx context.Context, q querier, o *orgRow, id string) (*unitRow, error) {
	u, err := s.st.getUnit(ctx, q, o.ID, id)
	if err != nil {
		return nil, err
	}
	if u == nil || u.ParentID == "" {
		return nil, errorf(OrganizationalUnitNotFound, "We can't find an OU with the OrganizationalUnitId that you specified.")
	}
	return u, nil
}

// DescribeOrganizationalUnit describes an OU.
func (s *Service) DescribeOrganizationalUnit(ctx context.Context, c *authz.Caller, in *OrganizationalUnitIdInput) (*OrganizationalUnitOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:DescribeOrganizationalUnit", management,
		func(o *orgRow) string { return s.arn.ou(o, in.OrganizationalUnitId) }, nil)
	if err != nil {
		return nil, err
	}
	u, err := s.ou(ctx, s.st.db, ss.org, in.OrganizationalUnitId)
	if err != nil {
		return nil, err
	}
	shape, err := s.ouShape(ctx, ss.org, u)
	if err != nil {
		return nil, err
	}
	return &OrganizationalUnitOutput{OrganizationalUnit: shape}, nil
}

type UpdateOrganizationalUnitInput struct {
	OrganizationalUnitId string `required:"true" max:"68" pattern:"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"`
	// A pointer, so that an empty name is refused (MIN_LENGTH_EXCEEDED)
	// rather than taken as "no change".
	Name *string `min:"1" max:"128" pattern:"[\\s\\S]*"`
}

// UpdateOrganizationalUnit renames an OU.
func (s *Service) UpdateOrganizationalUnit(ctx context.Context, c *authz.Caller, in *UpdateOrganizationalUnitInput) (*OrganizationalUnitOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:UpdateOrganizationalUnit", management,
		func(o *orgRow) string { return s.arn.ou(o, in.OrganizationalUnitId) }, nil)
	if err != nil {
		return nil, err
	}
	var u *unitRow
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = s.ou(ctx, tx, ss.org, in.OrganizationalUnitId); err != nil {
			return err
		}
		name := deref(in.Name)
		if name == "" || name == u.Name {
			return nil
		}
		if err := s.checkOUName(ctx, tx, ss.org.ID, u.ParentID, name, u.ID); err != nil {
			return err
		}
		u.Name = name
		return s.st.renameUnit(ctx, tx, u.ID, name)
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errDuplicateOU
		}
		return nil, err
	}
	shape, err := s.ouShape(ctx, ss.org, u)
	if err != nil {
		return nil, err
	}
	return &OrganizationalUnitOutput{OrganizationalUnit: shape}, nil
}

// DeleteOrganizationalUnit deletes an OU without child OUs or accounts.
func (s *Service) DeleteOrganizationalUnit(ctx context.Context, c *authz.Caller, in *OrganizationalUnitIdInput) (*Empty, error) {
	ss, err := s.begin(ctx, c, "organizations:DeleteOrganizationalUnit", management,
		func(o *orgRow) string { return s.arn.ou(o, in.OrganizationalUnitId) }, nil)
	if err != nil {
		return nil, err
	}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		u, err := s.ou(ctx, tx, ss.org, in.OrganizationalUnitId)
		if err != nil {
			return err
		}
		units, accounts, err := s.st.countChildren(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if units+accounts > 0 {
			return errorf(OrganizationalUnitNotEmpty, "You can't delete an OU that contains accounts or other OUs.")
		}
		return s.st.deleteUnit(ctx, tx, ss.org.ID, u.ID)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type ListForParentInput struct {
	ParentId   string `required:"true" max:"100" pattern:"^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"`
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListOrganizationalUnitsOutput struct {
	OrganizationalUnits []OrganizationalUnit
	NextToken           string `json:",omitempty"`
}

// parent loads a root or OU of the organization as a parent.
func (s *Service) parent(ctx context.Context, q querier, o *orgRow, id string) (*unitRow, error) {
	u, err := s.st.getUnit(ctx, q, o.ID, id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errorf(ParentNotFound, "We can't find a root or OU with the ParentId that you specified.")
	}
	return u, nil
}

// ListOrganizationalUnitsForParent lists the OUs directly under a parent.
func (s *Service) ListOrganizationalUnitsForParent(ctx context.Context, c *authz.Caller, in *ListForParentInput) (*ListOrganizationalUnitsOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListOrganizationalUnitsForParent", management,
		func(o *orgRow) string { return s.arn.unit(o, in.ParentId) }, nil)
	if err != nil {
		return nil, err
	}
	if _, err := s.parent(ctx, s.st.db, ss.org, in.ParentId); err != nil {
		return nil, err
	}
	units, err := s.st.unitsOf(ctx, s.st.db, ss.org.ID, in.ParentId)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(units, func(u *unitRow) string { return u.ID }, ss.scope("ListOUs", in.ParentId), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListOrganizationalUnitsOutput{OrganizationalUnits: []OrganizationalUnit{}, NextToken: next}
	for _, u := range page {
		shape, err := s.ouShape(ctx, ss.org, u)
		if err != nil {
			return nil, err
		}
		out.OrganizationalUnits = append(out.OrganizationalUnits, *shape)
	}
	return out, nil
}

type ListChildrenInput struct {
	ParentId   string `required:"true" max:"100" pattern:"^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"`
	ChildType  string `required:"true" enum:"ACCOUNT,ORGANIZATIONAL_UNIT"`
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListChildrenOutput struct {
	Children  []Child
	NextToken string `json:",omitempty"`
}

// ListChildren lists the accounts or the OUs directly under a parent.
func (s *Service) ListChildren(ctx context.Context, c *authz.Caller, in *ListChildrenInput) (*ListChildrenOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListChildren", management,
		func(o *orgRow) string { return s.arn.unit(o, in.ParentId) }, nil)
	if err != nil {
		return nil, err
	}
	if _, err := s.parent(ctx, s.st.db, ss.org, in.ParentId); err != nil {
		return nil, err
	}
	var ids []string
	if in.ChildType == "ACCOUNT" {
		ms, err := s.st.membersOf(ctx, s.st.db, ss.org.ID, in.ParentId)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			ids = append(ids, m.AccountID)
		}
	} else {
		us, err := s.st.unitsOf(ctx, s.st.db, ss.org.ID, in.ParentId)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			ids = append(ids, u.ID)
		}
	}
	page, next, err := paginate(ids, func(id string) string { return id }, ss.scope("ListChildren", in.ParentId, in.ChildType), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListChildrenOutput{Children: []Child{}, NextToken: next}
	for _, id := range page {
		out.Children = append(out.Children, Child{Id: id, Type: in.ChildType})
	}
	return out, nil
}

type ListParentsInput struct {
	ChildId    string `required:"true" max:"100" pattern:"^(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"`
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListParentsOutput struct {
	Parents   []Parent
	NextToken string `json:",omitempty"`
}

// ListParents lists the parent (one) of an account or OU.
func (s *Service) ListParents(ctx context.Context, c *authz.Caller, in *ListParentsInput) (*ListParentsOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListParents", management, func(o *orgRow) string {
		if strings.HasPrefix(in.ChildId, "ou-") {
			return s.arn.ou(o, in.ChildId)
		}
		return s.arn.account(o, in.ChildId)
	}, nil)
	if err != nil {
		return nil, err
	}
	parentID := ""
	if strings.HasPrefix(in.ChildId, "ou-") {
		if u, err := s.st.getUnit(ctx, s.st.db, ss.org.ID, in.ChildId); err != nil {
			return nil, err
		} else if u != nil {
			parentID = u.ParentID
		}
	} else if m, err := s.st.getMember(ctx, s.st.db, in.ChildId); err != nil {
		return nil, err
	} else if m != nil && m.OrgID == ss.org.ID {
		parentID = m.ParentID
	}
	if parentID == "" {
		return nil, errorf(ChildNotFound, "We can't find an organizational unit (OU) or Amazon Web Services account with the ChildId that you specified.")
	}
	parents := []Parent{{Id: parentID, Type: unitType(parentID)}}
	page, next, err := paginate(parents, func(p Parent) string { return p.Id }, ss.scope("ListParents", in.ChildId), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListParentsOutput{Parents: page, NextToken: next}, nil
}
