package ram

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// answeredShown is how long answered (or expired) invitations stay listed.
const answeredShown = 7 * 24 * time.Hour

func (s *Service) invView(ctx context.Context, q querier, inv *invRow) (ResourceShareInvitation, error) {
	v := inv.view()
	sh, err := getShare(ctx, q, inv.ShareARN)
	if err != nil {
		return v, err
	}
	if sh != nil {
		v.ResourceShareName = sh.Name
	}
	return v, nil
}

// view is the invitation without its share's name.
func (inv *invRow) view() ResourceShareInvitation {
	return ResourceShareInvitation{ResourceShareInvitationArn: inv.ARN, ResourceShareArn: inv.ShareARN, SenderAccountID: inv.Sender,
		ReceiverAccountID: inv.Receiver, InvitationTimestamp: inv.Created, Status: inv.Status, ReceiverArn: inv.ReceiverARN}
}

// expire turns PENDING invitations past their time into EXPIRED and
// disassociates the principals waiting on them (§5.4). Reads call it, so
// expiry does not depend on the scheduler having run.
func (s *Service) expire(ctx context.Context) error {
	now := s.d.Clock.Now()
	invs, err := expiredInvs(ctx, s.d.DB, now)
	if err != nil || len(invs) == 0 {
		return err
	}
	return s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		invs, err := expiredInvs(ctx, tx, now)
		if err != nil {
			return err
		}
		for _, inv := range invs {
			if err := w.answer(ctx, inv, "EXPIRED"); err != nil {
				return err
			}
		}
		return nil
	})
}

// answer records an invitation's outcome; its principals become
// ASSOCIATED (accepted) or DISASSOCIATED, and the share's CA policies
// follow.
func (w *writer) answer(ctx context.Context, inv *invRow, status string) error {
	now := w.s.d.Clock.Now()
	inv.Status, inv.Updated = status, now
	if err := putInv(ctx, w.tx, inv); err != nil {
		return err
	}
	sh, err := getShare(ctx, w.tx, inv.ShareARN)
	if err != nil || sh == nil {
		return err
	}
	as, err := assocsOfShare(ctx, w.tx, sh.ARN)
	if err != nil {
		return err
	}
	changed := false
	for _, a := range as {
		if a.Kind != "PRINCIPAL" || a.Account != inv.Receiver || a.Status != "ASSOCIATING" {
			continue
		}
		a.Status, a.Updated = "DISASSOCIATED", now
		if status == "ACCEPTED" {
			a.Status, changed = "ASSOCIATED", true
		}
		if err := putAssoc(ctx, w.tx, a); err != nil {
			return err
		}
	}
	if changed && sh.Status == "ACTIVE" {
		return w.regenerateShare(ctx, sh)
	}
	return nil
}

// GetResourceShareInvitations lists the invitations the caller's account
// received.
func (s *Service) GetResourceShareInvitations(ctx context.Context, c *authz.Caller, in *GetResourceShareInvitationsInput) (*GetResourceShareInvitationsOutput, error) {
	if err := s.authorize(ctx, c, "GetResourceShareInvitations", "*", "", nil); err != nil {
		return nil, err
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 500) {
		return nil, errf(InvalidMaxResults, "The specified value for MaxResults is not valid.")
	}
	for _, arn := range in.ResourceShareInvitationArns {
		if _, _, err := parseARN(arn, "ram"); err != nil {
			return nil, err
		}
	}
	if err := s.expire(ctx); err != nil {
		return nil, err
	}
	invs, err := invsOfReceiver(ctx, s.d.DB, regionOf(c), c.AccountID)
	if err != nil {
		return nil, err
	}
	for _, arn := range in.ResourceShareInvitationArns {
		if !slices.ContainsFunc(invs, func(i *invRow) bool { return i.ARN == arn }) {
			return nil, errf(InvitationArnNotFound, "ResourceShareInvitation %s could not be found.", arn)
		}
	}
	var all []*invRow
	shown := s.d.Clock.Now().Add(-answeredShown)
	for _, inv := range invs {
		if inv.Status != "PENDING" && inv.Updated.Before(shown) {
			continue
		}
		if len(in.ResourceShareInvitationArns) > 0 && !slices.Contains(in.ResourceShareInvitationArns, inv.ARN) ||
			len(in.ResourceShareArns) > 0 && !slices.Contains(in.ResourceShareArns, inv.ShareARN) {
			continue
		}
		all = append(all, inv)
	}
	rows, next, err := paginate(s, "GetResourceShareInvitations\x00"+c.AccountID, all, in.Paging)
	if err != nil {
		return nil, err
	}
	// Share names for the page only, in one query.
	arns := make([]string, len(rows))
	for i, inv := range rows {
		arns[i] = inv.ShareARN
	}
	shs, err := sharesByARN(ctx, s.d.DB, arns)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, sh := range shs {
		names[sh.ARN] = sh.Name
	}
	page := []ResourceShareInvitation{}
	for _, inv := range rows {
		v := inv.view()
		v.ResourceShareName = names[inv.ShareARN]
		page = append(page, v)
	}
	return &GetResourceShareInvitationsOutput{ResourceShareInvitations: page, NextToken: next}, nil
}

// receivedInvitation loads an invitation addressed to the caller's account.
func (s *Service) receivedInvitation(ctx context.Context, q querier, c *authz.Caller, arn string) (*invRow, error) {
	if _, _, err := parseARN(arn, "ram"); err != nil {
		return nil, err
	}
	inv, err := getInv(ctx, q, arn)
	if err != nil {
		return nil, err
	}
	if inv == nil || inv.Region != regionOf(c) || inv.Receiver != c.AccountID && inv.Sender != c.AccountID {
		return nil, errf(InvitationArnNotFound, "ResourceShareInvitation %s could not be found.", arn)
	}
	if inv.Receiver != c.AccountID {
		return nil, errf(OperationNotPermitted, "Only the account that received the invitation %s can answer it.", arn)
	}
	return inv, nil
}

func (s *Service) respond(ctx context.Context, c *authz.Caller, op, status string, in *InvitationInput) (*InvitationOutput, error) {
	if err := s.authorize(ctx, c, op, in.ResourceShareInvitationArn, "", nil); err != nil {
		return nil, err
	}
	if err := s.expire(ctx); err != nil {
		return nil, err
	}
	var out *InvitationOutput
	err := s.txn(ctx, func(tx *sql.Tx, w *writer) error {
		inv, err := s.receivedInvitation(ctx, tx, c, in.ResourceShareInvitationArn)
		if err != nil {
			return err
		}
		out, err = idempotent(ctx, s, tx, c, op, in.ClientToken, in, func() (*InvitationOutput, error) {
			switch inv.Status {
			case "ACCEPTED":
				return nil, errf(InvitationAlreadyAccepted, "The invitation %s has already been accepted.", inv.ARN)
			case "REJECTED":
				return nil, errf(InvitationAlreadyRejected, "The invitation %s has already been rejected.", inv.ARN)
			case "EXPIRED":
				return nil, errf(InvitationExpired, "The invitation %s has expired.", inv.ARN)
			}
			if err := w.answer(ctx, inv, status); err != nil {
				return nil, err
			}
			v, err := s.invView(ctx, tx, inv)
			if err != nil {
				return nil, err
			}
			return &InvitationOutput{ResourceShareInvitation: &v, ClientToken: in.ClientToken}, nil
		})
		return err
	})
	return out, err
}

// AcceptResourceShareInvitation accepts an invitation: its principals are
// ASSOCIATED and written into the share's CA policies.
func (s *Service) AcceptResourceShareInvitation(ctx context.Context, c *authz.Caller, in *InvitationInput) (*InvitationOutput, error) {
	return s.respond(ctx, c, "AcceptResourceShareInvitation", "ACCEPTED", in)
}

// RejectResourceShareInvitation rejects an invitation; its principals end
// DISASSOCIATED.
func (s *Service) RejectResourceShareInvitation(ctx context.Context, c *authz.Caller, in *InvitationInput) (*InvitationOutput, error) {
	return s.respond(ctx, c, "RejectResourceShareInvitation", "REJECTED", in)
}

// ListPendingInvitationResources lists the CAs an invitation offers.
func (s *Service) ListPendingInvitationResources(ctx context.Context, c *authz.Caller, in *ListPendingInvitationResourcesInput) (*ResourcesOutput, error) {
	if err := s.authorize(ctx, c, "ListPendingInvitationResources", in.ResourceShareInvitationArn, "", nil); err != nil {
		return nil, err
	}
	if err := s.expire(ctx); err != nil {
		return nil, err
	}
	inv, err := s.receivedInvitation(ctx, s.d.DB, c, in.ResourceShareInvitationArn)
	if err != nil {
		return nil, err
	}
	switch inv.Status {
	case "REJECTED":
		return nil, errf(InvitationAlreadyRejected, "The invitation %s has already been rejected.", inv.ARN)
	case "EXPIRED":
		return nil, errf(InvitationExpired, "The invitation %s has expired.", inv.ARN)
	}
	all := []Resource{}
	as, err := assocsOfShare(ctx, s.d.DB, inv.ShareARN)
	if err != nil {
		return nil, err
	}
	if in.ResourceRegionScope != "GLOBAL" {
		for _, a := range as {
			if a.Kind == "RESOURCE" && a.Status == "ASSOCIATED" {
				all = append(all, Resource{Arn: a.Entity, Type: ResourceTypeCA, ResourceShareArn: inv.ShareARN, Status: "AVAILABLE",
					CreationTime: a.Created, LastUpdatedTime: a.Updated, ResourceRegionScope: "REGIONAL"})
			}
		}
	}
	page, next, err := paginate(s, "ListPendingInvitationResources\x00"+inv.ARN, all, in.Paging)
	if err != nil {
		return nil, err
	}
	return &ResourcesOutput{Resources: page, NextToken: next}, nil
}
