// Package org is OpenPCA's Organizations service: organizations, their root
// and OUs, member accounts (created or invited through handshakes), trusted
// service access, tags and service control policies. It is also the
// authz.OrgSource that gives every request its aws:PrincipalOrgID,
// aws:PrincipalOrgPaths and SCP chain. The wire binding lives in
// internal/awsapi/orgapi.
package org

import (
	"context"
	"strings"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/iam"
)

// Authorizer is what the service needs from *authz.Engine: decisions, and
// dropping cached organization context after a change.
type Authorizer interface {
	Check(ctx context.Context, req *authz.Request) error
	Invalidate(accountID string)
	InvalidateAll()
}

// Service implements the organizations operations.
type Service struct {
	st    *Store
	iam   *iam.Store
	authz Authorizer
	clk   clock.Clock
	arn   arns
}

// New builds the service. st is also the engine's OrgSource:
//
//	orgStore := org.NewStore(db, clk, org.Config{})
//	engine := authz.New(iamStore, orgStore, clk)
//	orgSvc := org.New(orgStore, iamStore, engine)
func New(st *Store, iamStore *iam.Store, engine Authorizer) *Service {
	s := &Service{st: st, iam: iamStore, authz: engine, clk: st.clk, arn: st.arn}
	s.listenInvalidations()
	return s
}

// Store returns the service's store (the OrgSource, and membership lookups
// for other services).
func (s *Service) Store() *Store { return s.st }

// access says who may call an operation beyond what IAM allows.
type access int

const (
	anyCaller  access = iota // no organization needed
	anyMember                // the caller's account must be in an organization
	management               // the management account (and delegated administrators, for reads)
)

// session is the caller's standing for one operation.
type session struct {
	c   *authz.Caller
	org *orgRow // nil when the caller's account is in no organization
}

func (ss *session) isManagement() bool { return ss.org != nil && ss.org.Management == ss.c.AccountID }

// begin loads the caller's organization, asks the engine whether action on
// the resource named by res is allowed, then applies the organization's own
// rule. res may be nil (resource "*") and is called with a nil org when the
// caller is in none.
func (s *Service) begin(ctx context.Context, c *authz.Caller, action string, who access, res func(o *orgRow) string, extra map[string][]string) (*session, error) {
	if c == nil || c.AccountID == "" {
		return nil, errNotManagement
	}
	ss := &session{c: c}
	m, err := s.st.getMember(ctx, s.st.db, c.AccountID)
	if err != nil {
		return nil, err
	}
	if m != nil {
		if ss.org, err = s.st.getOrg(ctx, s.st.db, m.OrgID); err != nil {
			return nil, err
		}
	}
	resource := "*"
	if res != nil && ss.org != nil {
		resource = res(ss.org)
	}
	// Organizations resources are authorized by the caller's own policies
	// (there are no resource policies on them), so the resource counts as
	// the caller's.
	if err := s.authz.Check(ctx, &authz.Request{Caller: c, Action: action, Resource: resource, ResourceAccount: c.AccountID, Context: extra}); err != nil {
		return nil, err
	}
	switch who {
	case anyMember:
		if ss.org == nil {
			return nil, errNotInUse
		}
	case management:
		if ss.org == nil {
			return nil, errNotInUse
		}
		if !ss.isManagement() {
			// AWS lets delegated administrators (of any service) call the
			// read-only operations too.
			if !readOnly(action) {
				return nil, errNotManagement
			}
			ok, err := s.st.isDelegate(ctx, s.st.db, ss.org.ID, c.AccountID)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errNotManagement
			}
		}
	}
	return ss, nil
}

// readOnly reports whether action only reads (Describe*, List*).
func readOnly(action string) bool {
	return strings.HasPrefix(action, "organizations:Describe") || strings.HasPrefix(action, "organizations:List")
}

// --- the tree

// chain returns the IDs from the root down to id (a root or OU), inclusive;
// nil when id is not a root or OU of org.
func (s *Store) chain(ctx context.Context, q querier, orgID, id string) ([]string, error) {
	var out []string
	for id != "" {
		u, err := s.getUnit(ctx, q, orgID, id)
		if err != nil || u == nil {
			return nil, err
		}
		out = append(out, u.ID)
		id = u.ParentID
		if len(out) > maxDepth+2 {
			break // a cycle cannot happen through the API; stop anyway
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// path renders an Organizations path: o-x/r-y/ou-…/ plus extra/ if given.
func path(orgID string, chain []string, extra string) string {
	var b strings.Builder
	b.WriteString(orgID)
	b.WriteByte('/')
	for _, id := range chain {
		b.WriteString(id)
		b.WriteByte('/')
	}
	if extra != "" {
		b.WriteString(extra)
		b.WriteByte('/')
	}
	return b.String()
}

func unitType(id string) string {
	if strings.HasPrefix(id, "r-") {
		return "ROOT"
	}
	return "ORGANIZATIONAL_UNIT"
}

// --- shapes

func (s *Service) orgShape(ctx context.Context, o *orgRow) (*Organization, error) {
	a, err := s.iam.LookupAccount(ctx, o.Management)
	if err != nil {
		return nil, err
	}
	out := &Organization{
		Id: o.ID, Arn: s.arn.org(o), FeatureSet: o.FeatureSet,
		MasterAccountArn: s.arn.account(o, o.Management), MasterAccountId: o.Management,
		AvailablePolicyTypes: []PolicyTypeSummary{},
	}
	out.MasterAccountEmail = accountEmail(a, o.Management)
	types, err := s.rootPolicyTypes(ctx, o)
	if err != nil {
		return nil, err
	}
	out.AvailablePolicyTypes = types
	return out, nil
}

func (s *Service) rootPolicyTypes(ctx context.Context, o *orgRow) ([]PolicyTypeSummary, error) {
	out := []PolicyTypeSummary{}
	on, err := s.st.enabledPolicyTypes(ctx, s.st.db, o.RootID)
	if err != nil {
		return nil, err
	}
	for _, t := range on {
		out = append(out, PolicyTypeSummary{Type: t, Status: "ENABLED"})
	}
	return out, nil
}

func (s *Service) ouShape(ctx context.Context, o *orgRow, u *unitRow) (*OrganizationalUnit, error) {
	ch, err := s.st.chain(ctx, s.st.db, o.ID, u.ID)
	if err != nil {
		return nil, err
	}
	return &OrganizationalUnit{Id: u.ID, Arn: s.arn.ou(o, u.ID), Name: u.Name, Path: path(o.ID, ch, "")}, nil
}

// accountShape describes a member; names come from the accounts table.
func (s *Service) accountShape(ctx context.Context, o *orgRow, m *memberRow, names map[string]iam.Account) (*Account, error) {
	a, ok := names[m.AccountID]
	if !ok {
		got, err := s.iam.LookupAccount(ctx, m.AccountID)
		if err != nil {
			return nil, err
		}
		if got != nil {
			a = *got
		}
	}
	ch, err := s.st.chain(ctx, s.st.db, o.ID, m.ParentID)
	if err != nil {
		return nil, err
	}
	status := accountStatus(m)
	return &Account{
		Id: m.AccountID, Arn: s.arn.account(o, m.AccountID), Email: accountEmail(&a, m.AccountID), Name: a.Name,
		Status: status, State: status, JoinedMethod: m.JoinedMethod, JoinedTimestamp: m.JoinedAt,
		Paths: []string{path(o.ID, ch, m.AccountID)},
	}, nil
}

// accountNames indexes every account by ID (for list operations).
func (s *Service) accountNames(ctx context.Context) (map[string]iam.Account, error) {
	all, err := s.iam.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]iam.Account, len(all))
	for _, a := range all {
		out[a.ID] = a
	}
	return out, nil
}

// --- pagination (MaxResults ≤ 20, reference §1.5)

const defaultMaxResults = 20

// paginate returns the page of items (sorted by key) after the token, which
// must have been issued for scope (session.scope).
func paginate[T any](items []T, key func(T) string, scope, token string, maxResults *int) ([]T, string, error) {
	start := 0
	if token != "" {
		after, ok := openToken(scope, token)
		if !ok {
			return nil, "", reasonf(InvalidInput, "INVALID_NEXT_TOKEN", "The NextToken value is not valid.")
		}
		for start < len(items) && key(items[start]) <= after {
			start++
		}
	}
	n := defaultMaxResults
	if maxResults != nil && *maxResults > 0 {
		n = *maxResults
	}
	end := min(start+n, len(items))
	page := items[start:end]
	if end < len(items) && len(page) > 0 {
		return page, sealToken(scope, key(page[len(page)-1])), nil
	}
	return page, "", nil
}
