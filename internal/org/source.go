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
// the SCPs attached at each level of that chain and to the account itself,
// and likewise its RCPs when those are enabled.
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
	on, err := s.policyTypesOn(ctx, s.db, o.RootID)
	if err != nil {
		return oc, err
	}
	levels := append(ch, accountID)
	if slices.Contains(on, scpType) {
		oc.SCPsEnabled = true
		if oc.SCPLevels, err = s.levelsOf(ctx, o, levels, scpType, authz.ServiceControlPolicy); err != nil {
			return authz.OrgContext{}, err
		}
		for _, l := range oc.SCPLevels {
			oc.SCPs = append(oc.SCPs, l...)
		}
	}
	if slices.Contains(on, rcpType) {
		if oc.RCPLevels, err = s.levelsOf(ctx, o, levels, rcpType, authz.ResourceControlPolicy); err != nil {
			return authz.OrgContext{}, err
		}
	}
	return oc, nil
}

// levelsOf returns, for each target, the documents of type typ attached to
// it, named by ARN.
func (s *Store) levelsOf(ctx context.Context, o *orgRow, targets []string, typ string, kind authz.PolicyKind) ([][]authz.Policy, error) {
	out := make([][]authz.Policy, 0, len(targets))
	for _, target := range targets {
		atts, err := s.attachmentsOfTarget(ctx, s.db, o.ID, target)
		if err != nil {
			return nil, err
		}
		level := []authz.Policy{}
		for _, a := range atts {
			if a.PolicyType != typ {
				continue
			}
			p, err := s.getPolicy(ctx, s.db, o.ID, a.PolicyID)
			if err != nil {
				return nil, err
			}
			if p != nil {
				level = append(level, authz.Policy{Kind: kind, Name: s.arn.policy(o, p), Document: p.Content})
			}
		}
		out = append(out, level)
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
