package org

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// handshakeTTL is how long an invitation stays open (AWS: 15 days).
const handshakeTTL = 15 * 24 * time.Hour

// open reports whether a handshake can still be acted on.
func open(state string) bool { return state == "OPEN" || state == "REQUESTED" }

func (s *Service) handshakeShape(ctx context.Context, o *orgRow, h *handshakeRow) (*Handshake, error) {
	mgmt, err := s.iam.LookupAccount(ctx, o.Management)
	if err != nil {
		return nil, err
	}
	var email, name string
	if mgmt != nil {
		email, name = mgmt.Email, mgmt.Name
	}
	orgRes := HandshakeResource{Type: "ORGANIZATION", Value: o.ID, Resources: []HandshakeResource{
		{Type: "MASTER_EMAIL", Value: email},
		{Type: "MASTER_NAME", Value: name},
		{Type: "ORGANIZATION_FEATURE_SET", Value: o.FeatureSet},
	}}
	out := &Handshake{
		Id: h.ID, Arn: s.arn.handshake(o, h.Action, h.ID), State: h.State, Action: h.Action,
		RequestedTimestamp: h.RequestedAt, ExpirationTimestamp: h.ExpiresAt,
		Parties:   []HandshakeParty{{Id: o.ID, Type: "ORGANIZATION"}, {Id: h.TargetID, Type: h.TargetType}},
		Resources: []HandshakeResource{orgRes, {Type: h.TargetType, Value: h.TargetID}},
	}
	if h.Notes != "" {
		out.Resources = append(out.Resources, HandshakeResource{Type: "NOTES", Value: h.Notes})
	}
	return out, nil
}

type InviteAccountToOrganizationInput struct {
	Target *HandshakeParty `required:"true"`
	Notes  string          `max:"1024" pattern:"[\\s\\S]*" sensitive:"true"`
	Tags   []Tag
}

type HandshakeOutput struct {
	Handshake *Handshake
}

// InviteAccountToOrganization sends an invitation to a standalone account
// (Target Type ACCOUNT, or EMAIL naming an account's email); the invited
// account's principals answer it with AcceptHandshake or DeclineHandshake.
func (s *Service) InviteAccountToOrganization(ctx context.Context, c *authz.Caller, in *InviteAccountToOrganizationInput) (*HandshakeOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:InviteAccountToOrganization", management, nil, tagContext(in.Tags))
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	o := ss.org
	acct, err := s.inviteTarget(ctx, in.Target)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	h := &handshakeRow{ID: newHandshakeID(), OrgID: o.ID, Action: "INVITE", State: "OPEN", TargetType: "ACCOUNT", TargetID: acct,
		Notes: in.Notes, RequestedAt: now, ExpiresAt: now.Add(handshakeTTL)}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		if m, err := s.st.getMember(ctx, tx, acct); err != nil {
			return err
		} else if m != nil {
			return reasonf(HandshakeConstraintViolation, "ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization.")
		}
		existing, err := s.st.handshakesWhere(ctx, tx, o.ID, "")
		if err != nil {
			return err
		}
		for _, e := range existing {
			if e.TargetID == acct && e.Action == "INVITE" && open(e.State) && now.Before(e.ExpiresAt) {
				return errorf(DuplicateHandshake, "A handshake with the same action and target already exists.")
			}
		}
		if err := s.st.insertHandshake(ctx, tx, h); err != nil {
			return err
		}
		return s.st.putTags(ctx, tx, o.ID, h.ID, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	shape, err := s.handshakeShape(ctx, o, h)
	if err != nil {
		return nil, err
	}
	return &HandshakeOutput{Handshake: shape}, nil
}

// inviteTarget resolves an invitation's target to an existing account.
func (s *Service) inviteTarget(ctx context.Context, t *HandshakeParty) (string, error) {
	switch t.Type {
	case "ACCOUNT":
		if !accountIDPattern(t.Id) {
			return "", reasonf(InvalidInput, "INVALID_PATTERN_TARGET_ID", "You specified a target ID that doesn't match the required pattern.")
		}
		a, err := s.iam.LookupAccount(ctx, t.Id)
		if err != nil {
			return "", err
		}
		if a == nil {
			return "", reasonf(InvalidInput, "INVALID_PARTY_TYPE_TARGET", "You specified the wrong type of entity (account, organization, or email) as a party.")
		}
		return a.ID, nil
	case "EMAIL":
		all, err := s.iam.ListAccounts(ctx)
		if err != nil {
			return "", err
		}
		for _, a := range all {
			// The generated address of an account without one counts too.
			if strings.EqualFold(accountEmail(&a, a.ID), t.Id) {
				return a.ID, nil
			}
		}
		return "", reasonf(InvalidInput, "INVALID_EMAIL_ADDRESS_TARGET", "You specified an email address that no account uses.")
	}
	return "", reasonf(InvalidInput, "INVALID_PARTY_TYPE_TARGET", "You specified the wrong type of entity (account, organization, or email) as a target.")
}

func accountIDPattern(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

type HandshakeIdInput struct {
	HandshakeId string `required:"true" max:"34" pattern:"^h-[0-9a-z]{8,32}$"`
}

// handshakeFor loads a handshake the caller is a party to: the invited
// account, or the management account of the inviting organization. Others
// do not see it.
func (s *Service) handshakeFor(ctx context.Context, q querier, c *authz.Caller, id string) (*handshakeRow, *orgRow, error) {
	h, err := s.st.getHandshake(ctx, q, id)
	if err != nil {
		return nil, nil, err
	}
	notFound := errorf(HandshakeNotFound, "We can't find a handshake with the HandshakeId that you specified.")
	if h == nil {
		return nil, nil, notFound
	}
	o, err := s.st.getOrg(ctx, q, h.OrgID)
	if err != nil {
		return nil, nil, err
	}
	if o == nil || (h.TargetID != c.AccountID && o.Management != c.AccountID) {
		return nil, nil, notFound
	}
	if open(h.State) && !s.clk.Now().Before(h.ExpiresAt) {
		h.State = "EXPIRED"
		if err := s.st.setHandshakeState(ctx, q, h.ID, h.State); err != nil {
			return nil, nil, err
		}
	}
	return h, o, nil
}

// transition moves a handshake to state when the caller is the right party
// and the handshake is still open; then runs also (inside the transaction).
func (s *Service) transition(ctx context.Context, c *authz.Caller, action, id, state string, byInvitee bool,
	also func(tx *sql.Tx, h *handshakeRow, o *orgRow) error) (*HandshakeOutput, error) {
	if c == nil || c.AccountID == "" {
		return nil, errNotManagement
	}
	resource := "*"
	if h, err := s.st.getHandshake(ctx, s.st.db, id); err != nil {
		return nil, err
	} else if h != nil {
		if o, err := s.st.getOrg(ctx, s.st.db, h.OrgID); err != nil {
			return nil, err
		} else if o != nil {
			resource = s.arn.handshake(o, h.Action, h.ID)
		}
	}
	if err := s.authz.Check(ctx, &authz.Request{Caller: c, Action: action, Resource: resource, ResourceAccount: c.AccountID}); err != nil {
		return nil, err
	}
	var h *handshakeRow
	var o *orgRow
	err := s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if h, o, err = s.handshakeFor(ctx, tx, c, id); err != nil {
			return err
		}
		if byInvitee != (h.TargetID == c.AccountID) {
			return errorf(AccessDenied, "You don't have permissions to access this resource.")
		}
		if h.State == state {
			return errorf(HandshakeAlreadyInState, "The specified handshake is already in the requested state.")
		}
		if !open(h.State) {
			return errorf(InvalidHandshakeTransition, "You can't perform the operation on the handshake in its current state (%s).", h.State)
		}
		if also != nil {
			if err := also(tx, h, o); err != nil {
				return err
			}
		}
		h.State = state
		return s.st.setHandshakeState(ctx, tx, h.ID, state)
	})
	if err != nil {
		return nil, err
	}
	shape, err := s.handshakeShape(ctx, o, h)
	if err != nil {
		return nil, err
	}
	return &HandshakeOutput{Handshake: shape}, nil
}

// AcceptHandshake joins the invited account to the organization, under the
// root, with FullAWSAccess attached when SCPs are enabled.
func (s *Service) AcceptHandshake(ctx context.Context, c *authz.Caller, in *HandshakeIdInput) (*HandshakeOutput, error) {
	out, err := s.transition(ctx, c, "organizations:AcceptHandshake", in.HandshakeId, "ACCEPTED", true,
		func(tx *sql.Tx, h *handshakeRow, o *orgRow) error {
			if m, err := s.st.getMember(ctx, tx, h.TargetID); err != nil {
				return err
			} else if m != nil {
				return reasonf(HandshakeConstraintViolation, "ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization.")
			}
			if err := s.st.insertMember(ctx, tx, &memberRow{AccountID: h.TargetID, OrgID: o.ID, ParentID: o.RootID, JoinedMethod: "INVITED", JoinedAt: s.clk.Now()}); err != nil {
				return err
			}
			return s.attachDefaults(ctx, tx, o, h.TargetID)
		})
	if err != nil {
		return nil, err
	}
	s.invalidate(c.AccountID)
	return out, nil
}

// DeclineHandshake refuses an invitation (the invited account).
func (s *Service) DeclineHandshake(ctx context.Context, c *authz.Caller, in *HandshakeIdInput) (*HandshakeOutput, error) {
	return s.transition(ctx, c, "organizations:DeclineHandshake", in.HandshakeId, "DECLINED", true, nil)
}

// CancelHandshake withdraws an invitation (the management account).
func (s *Service) CancelHandshake(ctx context.Context, c *authz.Caller, in *HandshakeIdInput) (*HandshakeOutput, error) {
	return s.transition(ctx, c, "organizations:CancelHandshake", in.HandshakeId, "CANCELED", false, nil)
}

// DescribeHandshake describes a handshake the caller is a party to.
func (s *Service) DescribeHandshake(ctx context.Context, c *authz.Caller, in *HandshakeIdInput) (*HandshakeOutput, error) {
	if _, err := s.begin(ctx, c, "organizations:DescribeHandshake", anyCaller, nil, nil); err != nil {
		return nil, err
	}
	h, o, err := s.handshakeFor(ctx, s.st.db, c, in.HandshakeId)
	if err != nil {
		return nil, err
	}
	shape, err := s.handshakeShape(ctx, o, h)
	if err != nil {
		return nil, err
	}
	return &HandshakeOutput{Handshake: shape}, nil
}

type HandshakeFilter struct {
	ActionType        string `enum:"INVITE,ENABLE_ALL_FEATURES,APPROVE_ALL_FEATURES,ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE"`
	ParentHandshakeId string `max:"34" pattern:"^h-[0-9a-z]{8,32}$"`
}

type ListHandshakesInput struct {
	Filter     *HandshakeFilter
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListHandshakesOutput struct {
	Handshakes []Handshake
	NextToken  string `json:",omitempty"`
}

// ListHandshakesForAccount lists the handshakes the caller's account is a
// party to; a standalone account sees the invitations it received.
func (s *Service) ListHandshakesForAccount(ctx context.Context, c *authz.Caller, in *ListHandshakesInput) (*ListHandshakesOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListHandshakesForAccount", anyCaller, nil, nil)
	if err != nil {
		return nil, err
	}
	orgID := "" // matches no organization (PostgreSQL text holds no NUL)
	if ss.isManagement() {
		orgID = ss.org.ID
	}
	all, err := s.st.handshakesWhere(ctx, s.st.db, orgID, c.AccountID)
	if err != nil {
		return nil, err
	}
	return s.listHandshakes(ctx, all, ss.scope("ListHandshakesForAccount"), in)
}

// ListHandshakesForOrganization lists the organization's handshakes.
func (s *Service) ListHandshakesForOrganization(ctx context.Context, c *authz.Caller, in *ListHandshakesInput) (*ListHandshakesOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListHandshakesForOrganization", management, nil, nil)
	if err != nil {
		return nil, err
	}
	all, err := s.st.handshakesWhere(ctx, s.st.db, ss.org.ID, "")
	if err != nil {
		return nil, err
	}
	return s.listHandshakes(ctx, all, ss.scope("ListHandshakesForOrganization"), in)
}

func (s *Service) listHandshakes(ctx context.Context, all []*handshakeRow, scope string, in *ListHandshakesInput) (*ListHandshakesOutput, error) {
	now := s.clk.Now()
	var keep []*handshakeRow
	for _, h := range all {
		if in.Filter != nil && in.Filter.ActionType != "" && in.Filter.ActionType != h.Action {
			continue
		}
		if in.Filter != nil && in.Filter.ParentHandshakeId != "" {
			continue // invitations have no parent handshake
		}
		if open(h.State) && !now.Before(h.ExpiresAt) {
			h.State = "EXPIRED"
		}
		keep = append(keep, h)
	}
	slices.SortFunc(keep, func(a, b *handshakeRow) int { return strings.Compare(a.ID, b.ID) })
	page, next, err := paginate(keep, func(h *handshakeRow) string { return h.ID }, scope, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListHandshakesOutput{Handshakes: []Handshake{}, NextToken: next}
	orgs := map[string]*orgRow{}
	for _, h := range page {
		o, ok := orgs[h.OrgID]
		if !ok {
			if o, err = s.st.getOrg(ctx, s.st.db, h.OrgID); err != nil {
				return nil, err
			}
			orgs[h.OrgID] = o
		}
		if o == nil {
			continue
		}
		shape, err := s.handshakeShape(ctx, o, h)
		if err != nil {
			return nil, err
		}
		out.Handshakes = append(out.Handshakes, *shape)
	}
	return out, nil
}
