package org

import (
	"context"
	"fmt"
	"slices"

	"github.com/openpca/openpca/internal/authz"
)

// OrgContext implements authz.OrgSource: the account's organization, its
// aws:PrincipalOrgPaths value (the chain to the account's parent, with a
// trailing slash and without the account ID) and, when SCPs are enabled,
// the SCPs attached at each level of that chain and to the account itself.
// A standalone account gets the zero OrgContext.
func (s *Store) OrgContext(ctx context.Context, accountID string) (authz.OrgContext, error) {
	var oc authz.OrgContext
	m, err := s.getMember(ctx, s.db, accountID)
	if err != nil || m == nil {
		return oc, err
	}
	o, err := s.getOrg(ctx, s.db, m.OrgID)
	if err != nil || o == nil {
		return oc, err
	}
	ch, err := s.chain(ctx, s.db, o.ID, m.ParentID)
	if err != nil {
		return oc, err
	}
	if ch == nil {
		return oc, fmt.Errorf("org: account %s has a missing parent %s", accountID, m.ParentID)
	}
	oc.OrgID = o.ID
	oc.ManagementAccount = o.Management
	oc.Paths = []string{path(o.ID, ch, "")}
	on, err := s.policyTypeEnabled(ctx, s.db, o.RootID, scpType)
	if err != nil || !on {
		return oc, err
	}
	oc.SCPsEnabled = true
	for _, target := range append(ch, accountID) {
		level, err := s.scpsOf(ctx, s.db, o, target)
		if err != nil {
			return authz.OrgContext{}, err
		}
		oc.SCPLevels = append(oc.SCPLevels, level)
		oc.SCPs = append(oc.SCPs, level...)
	}
	return oc, nil
}

// scpsOf returns the SCP documents attached to one target, named by ARN.
func (s *Store) scpsOf(ctx context.Context, q querier, o *orgRow, targetID string) ([]authz.Policy, error) {
	atts, err := s.attachmentsOfTarget(ctx, q, o.ID, targetID)
	if err != nil {
		return nil, err
	}
	out := []authz.Policy{}
	for _, a := range atts {
		if a.PolicyType != scpType {
			continue
		}
		p, err := s.getPolicy(ctx, q, o.ID, a.PolicyID)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, authz.Policy{Kind: authz.ServiceControlPolicy, Name: s.arn.policy(o, p), Document: p.Content})
		}
	}
	return out, nil
}

// Membership is what other services (RAM) need to know about an account.
type Membership struct {
	OrgID             string
	ManagementAccount string
	RootID            string
	ParentID          string
	// Path is the account's aws:PrincipalOrgPaths value.
	Path string
}

// Membership returns the account's organization membership, nil for a
// standalone account.
func (s *Store) Membership(ctx context.Context, accountID string) (*Membership, error) {
	m, err := s.getMember(ctx, s.db, accountID)
	if err != nil || m == nil {
		return nil, err
	}
	o, err := s.getOrg(ctx, s.db, m.OrgID)
	if err != nil || o == nil {
		return nil, err
	}
	ch, err := s.chain(ctx, s.db, o.ID, m.ParentID)
	if err != nil {
		return nil, err
	}
	return &Membership{OrgID: o.ID, ManagementAccount: o.Management, RootID: o.RootID, ParentID: m.ParentID, Path: path(o.ID, ch, "")}, nil
}

// ServiceAccessEnabled reports whether EnableAWSServiceAccess turned on
// trusted access for principal (e.g. "ram.amazonaws.com") in the org.
func (s *Store) ServiceAccessEnabled(ctx context.Context, orgID, principal string) (bool, error) {
	return s.serviceAccessOn(ctx, s.db, orgID, principal)
}

// AccountsUnder lists the accounts of orgID under parentID (a root or OU)
// at any depth, ordered by ID; parentID "" means the whole organization.
func (s *Store) AccountsUnder(ctx context.Context, orgID, parentID string) ([]string, error) {
	var out []string
	queue := []string{parentID}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		ms, err := s.membersOf(ctx, s.db, orgID, id)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			out = append(out, m.AccountID)
		}
		if id == "" {
			break // membersOf with no parent lists the whole organization
		}
		us, err := s.unitsOf(ctx, s.db, orgID, id)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			queue = append(queue, u.ID)
		}
	}
	slices.Sort(out)
	return out, nil
}
