package org

import (
	"context"
	"database/sql"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/iam"
)

// Closing accounts (CloseAccount). AWS closes a member asynchronously:
// PENDING_CLOSURE, then SUSPENDED for a 90-day post-closure period during
// which it stays in the organization and nobody can sign in to it. Here the
// closure is complete when the call returns: the account is SUSPENDED at
// once, stays in the organization (RemoveAccountFromOrganization still
// works), and its credentials are refused at authentication
// (orgapi.GuardCredentials). It cannot be reopened, in the organization or
// out of it.

const (
	statusActive    = "ACTIVE"
	statusSuspended = "SUSPENDED"

	// closeWindow and the quota bounds: at most 10% of the members, between
	// 10 and 1000, may be closed in a rolling 30 days.
	closeWindow   = 30 * 24 * time.Hour
	minCloseQuota = 10
	maxCloseQuota = 1000
)

// accountStatus is a member's Status and State.
func accountStatus(m *memberRow) string {
	if !m.ClosedAt.IsZero() {
		return statusSuspended
	}
	return statusActive
}

// accountEmail is the account's e-mail; accounts created without one (the
// bootstrap account, `openpca admin create-account`) show
// <account-id>@openpca.invalid, a reserved domain that can never deliver
// (RFC 2606), because the API always names an e-mail.
func accountEmail(a *iam.Account, id string) string {
	if a != nil && a.Email != "" {
		return a.Email
	}
	return id + "@openpca.invalid"
}

type CloseAccountInput struct {
	AccountId string `required:"true" max:"12" pattern:"^\\d{12}$"`
}

// CloseAccount closes a member account of the organization.
func (s *Service) CloseAccount(ctx context.Context, c *authz.Caller, in *CloseAccountInput) (*Empty, error) {
	ss, err := s.begin(ctx, c, "organizations:CloseAccount", management,
		func(o *orgRow) string { return s.arn.account(o, in.AccountId) }, nil)
	if err != nil {
		return nil, err
	}
	o := ss.org
	if in.AccountId == o.Management {
		return nil, reasonf(ConstraintViolation, "CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You attempted to close the management account. To close the management account for the organization, you must first either remove or close all member accounts in the organization. Follow standard account closure process using root credentials.")
	}
	now := s.clk.Now()
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		m, err := s.member(ctx, tx, o, in.AccountId)
		if err != nil {
			return err
		}
		if !m.ClosedAt.IsZero() {
			return errorf(AccountAlreadyClosed, "You attempted to close an account that is already closed.")
		}
		members, err := s.st.countMembers(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		closed, err := s.st.countClosedSince(ctx, tx, o.ID, now.Add(-closeWindow))
		if err != nil {
			return err
		}
		if closed >= min(max(members/10, minCloseQuota), maxCloseQuota) {
			return reasonf(ConstraintViolation, "CLOSE_ACCOUNT_QUOTA_EXCEEDED", "You have exceeded close account quota for the past 30 days.")
		}
		return s.st.closeAccount(ctx, tx, o.ID, in.AccountId, now)
	})
	if err != nil {
		return nil, err
	}
	s.st.markClosed(in.AccountId)
	s.invalidate(in.AccountId)
	return &Empty{}, nil
}
