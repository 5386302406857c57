package org

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/iam"
)

const (
	maxAccounts     = 1000
	defaultRoleName = "OrganizationAccountAccessRole"
)

type CreateAccountInput struct {
	Email                  string `required:"true" min:"6" max:"64" pattern:"[^\\s@]+@[^\\s@]+\\.[^\\s@]+"`
	AccountName            string `required:"true" min:"1" max:"50" pattern:"[\\u0020-\\u007E]+"`
	RoleName               string `max:"64" pattern:"[\\w+=,.@-]{1,64}"`
	IamUserAccessToBilling string `enum:"ALLOW,DENY"`
	Tags                   []Tag
}

type CreateAccountStatusOutput struct {
	CreateAccountStatus *CreateAccountStatus
}

func carShape(r *carRow) *CreateAccountStatus {
	return &CreateAccountStatus{
		Id: r.ID, AccountName: r.AccountName, State: r.State, RequestedTimestamp: r.RequestedAt,
		CompletedTimestamp: r.CompletedAt, AccountId: r.AccountID, FailureReason: r.FailureReason,
	}
}

// CreateAccount creates a member account under the root, with the role
// RoleName (default OrganizationAccountAccessRole) trusting the management
// account and holding AdministratorAccess.
//
// AWS creates accounts asynchronously and usually answers IN_PROGRESS; the
// model allows any state. Here the work is done before the answer is sent,
// so the answer is already final: SUCCEEDED with the AccountId (clients stop
// polling at once) or FAILED with a FailureReason such as
// EMAIL_ALREADY_EXISTS, exactly what DescribeCreateAccountStatus reports.
func (s *Service) CreateAccount(ctx context.Context, c *authz.Caller, in *CreateAccountInput) (*CreateAccountStatusOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:CreateAccount", management, nil, tagContext(in.Tags))
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	o := ss.org
	if n, err := s.st.countMembers(ctx, s.st.db, o.ID); err != nil {
		return nil, err
	} else if n >= maxAccounts {
		return nil, reasonf(ConstraintViolation, "ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You have reached the limit on the number of accounts in your organization.")
	}
	req := &carRow{ID: newCARID(), OrgID: o.ID, AccountName: in.AccountName, State: "IN_PROGRESS", RequestedAt: s.clk.Now()}

	// The request is stored with its outcome: on success in the transaction
	// that creates the account, on failure after that one rolled back.
	done := *req
	done.State = "SUCCEEDED"
	var reason string
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		acct, why, err := s.createMember(ctx, tx, o, in)
		if err != nil || why != "" {
			reason = why
			if err == nil {
				err = errRefused
			}
			return err
		}
		done.AccountID, done.CompletedAt = acct, s.clk.Now()
		return s.st.insertCAR(ctx, tx, &done)
	})
	if err != nil {
		if reason == "" {
			// Details stay in the log; the request reports a bare reason.
			slog.ErrorContext(ctx, "organizations: CreateAccount failed", "request", req.ID, "org", o.ID, "err", err)
			reason = "INTERNAL_FAILURE"
		}
		done.State, done.FailureReason, done.AccountID, done.CompletedAt = "FAILED", reason, "", s.clk.Now()
		if err := s.st.insertCAR(ctx, s.st.db, &done); err != nil {
			return nil, err
		}
		return &CreateAccountStatusOutput{CreateAccountStatus: carShape(&done)}, nil
	}
	s.invalidate(done.AccountID)
	return &CreateAccountStatusOutput{CreateAccountStatus: carShape(&done)}, nil
}

// errRefused rolls back a CreateAccount that ends with a FailureReason.
var errRefused = errors.New("create account refused")

// createMember does CreateAccount's work in tx: the account, its membership
// and its access role. A reason is a FailureReason the request reports; an
// error is any other failure.
func (s *Service) createMember(ctx context.Context, tx *sql.Tx, o *orgRow, in *CreateAccountInput) (acct, reason string, err error) {
	// Checked again here: the organization may have gone, or other requests
	// may have taken the last slot or the email, since the first checks.
	if cur, err := s.st.getOrg(ctx, tx, o.ID); err != nil || cur == nil {
		return "", "", cmp.Or(err, errors.New("organization deleted"))
	}
	if n, err := s.st.countMembers(ctx, tx, o.ID); err != nil {
		return "", "", err
	} else if n >= maxAccounts {
		return "", "ACCOUNT_LIMIT_EXCEEDED", nil
	}
	if taken, err := s.iam.AccountEmailTakenTx(ctx, tx, in.Email); err != nil {
		return "", "", err
	} else if taken {
		return "", "EMAIL_ALREADY_EXISTS", nil
	}
	created, err := s.iam.CreateAccountTx(ctx, tx, iam.AccountSpec{Name: in.AccountName, Email: in.Email})
	if err != nil {
		return "", "", fmt.Errorf("create account: %w", err)
	}
	acct = created.AccountID
	if err := s.st.insertMember(ctx, tx, &memberRow{AccountID: acct, OrgID: o.ID, ParentID: o.RootID, JoinedMethod: "CREATED", JoinedAt: s.clk.Now()}); err != nil {
		return "", "", err
	}
	if err := s.st.putTags(ctx, tx, o.ID, acct, in.Tags); err != nil {
		return "", "", err
	}
	if err := s.attachDefaults(ctx, tx, o, acct); err != nil {
		return "", "", err
	}
	role := in.RoleName
	if role == "" {
		role = defaultRoleName
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:` + s.arn.partition + `:iam::` +
		o.Management + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := s.iam.CreateRoleDirectTx(ctx, tx, iam.RoleSpec{
		AccountID: acct, Name: role, TrustPolicy: trust,
		ManagedPolicyARNs: []string{s.iam.AWSManagedPolicyARN("AdministratorAccess")},
	}); err != nil {
		return "", "", fmt.Errorf("create access role: %w", err)
	}
	return acct, "", nil
}

type CreateAccountRequestIdInput struct {
	CreateAccountRequestId string `required:"true" max:"36" pattern:"^car-[a-z0-9]{8,32}$"`
}

// DescribeCreateAccountStatus reports a CreateAccount request.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, c *authz.Caller, in *CreateAccountRequestIdInput) (*CreateAccountStatusOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:DescribeCreateAccountStatus", management, nil, nil)
	if err != nil {
		return nil, err
	}
	r, err := s.st.getCAR(ctx, s.st.db, ss.org.ID, in.CreateAccountRequestId)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errorf(CreateAccountStatusNotFound, "We can't find a create account request with the CreateAccountRequestId that you specified.")
	}
	return &CreateAccountStatusOutput{CreateAccountStatus: carShape(r)}, nil
}

type ListCreateAccountStatusInput struct {
	States     []string
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListCreateAccountStatusOutput struct {
	CreateAccountStatuses []CreateAccountStatus
	NextToken             string `json:",omitempty"`
}

// ListCreateAccountStatus lists CreateAccount requests, optionally by state.
func (s *Service) ListCreateAccountStatus(ctx context.Context, c *authz.Caller, in *ListCreateAccountStatusInput) (*ListCreateAccountStatusOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListCreateAccountStatus", management, nil, nil)
	if err != nil {
		return nil, err
	}
	for _, st := range in.States {
		if !slices.Contains([]string{"IN_PROGRESS", "SUCCEEDED", "FAILED"}, st) {
			return nil, reasonf(InvalidInput, "INVALID_ENUM", "You specified an invalid value.")
		}
	}
	all, err := s.st.listCARs(ctx, s.st.db, ss.org.ID)
	if err != nil {
		return nil, err
	}
	var keep []*carRow
	for _, r := range all {
		if len(in.States) == 0 || slices.Contains(in.States, r.State) {
			keep = append(keep, r)
		}
	}
	// Requests are listed in request order; the key keeps that order.
	key := func(r *carRow) string { return r.RequestedAt.Format("20060102150405.000000000") + r.ID }
	page, next, err := paginate(keep, key, ss.scope("ListCreateAccountStatus", in.States...), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListCreateAccountStatusOutput{CreateAccountStatuses: []CreateAccountStatus{}, NextToken: next}
	for _, r := range page {
		out.CreateAccountStatuses = append(out.CreateAccountStatuses, *carShape(r))
	}
	return out, nil
}

type ListAccountsOutput struct {
	Accounts  []Account
	NextToken string `json:",omitempty"`
}

// ListAccounts lists every account of the organization.
func (s *Service) ListAccounts(ctx context.Context, c *authz.Caller, in *ListInput) (*ListAccountsOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListAccounts", management, nil, nil)
	if err != nil {
		return nil, err
	}
	ms, err := s.st.membersOf(ctx, s.st.db, ss.org.ID, "")
	if err != nil {
		return nil, err
	}
	return s.listAccounts(ctx, ss.org, ms, ss.scope("ListAccounts"), in.NextToken, in.MaxResults)
}

// ListAccountsForParent lists the accounts directly under a root or OU.
func (s *Service) ListAccountsForParent(ctx context.Context, c *authz.Caller, in *ListForParentInput) (*ListAccountsOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListAccountsForParent", management,
		func(o *orgRow) string { return s.arn.unit(o, in.ParentId) }, nil)
	if err != nil {
		return nil, err
	}
	if _, err := s.parent(ctx, s.st.db, ss.org, in.ParentId); err != nil {
		return nil, err
	}
	ms, err := s.st.membersOf(ctx, s.st.db, ss.org.ID, in.ParentId)
	if err != nil {
		return nil, err
	}
	return s.listAccounts(ctx, ss.org, ms, ss.scope("ListAccountsForParent", in.ParentId), in.NextToken, in.MaxResults)
}

func (s *Service) listAccounts(ctx context.Context, o *orgRow, ms []*memberRow, scope, token string, maxResults *int) (*ListAccountsOutput, error) {
	page, next, err := paginate(ms, func(m *memberRow) string { return m.AccountID }, scope, token, maxResults)
	if err != nil {
		return nil, err
	}
	names, err := s.accountNames(ctx)
	if err != nil {
		return nil, err
	}
	out := &ListAccountsOutput{Accounts: []Account{}, NextToken: next}
	for _, m := range page {
		a, err := s.accountShape(ctx, o, m, names)
		if err != nil {
			return nil, err
		}
		out.Accounts = append(out.Accounts, *a)
	}
	return out, nil
}

type AccountIdInput struct {
	AccountId string `required:"true" max:"12" pattern:"^\\d{12}$"`
}

type DescribeAccountOutput struct {
	Account *Account
}

// member loads an account of the organization.
func (s *Service) member(ctx context.Context, q querier, o *orgRow, id string) (*memberRow, error) {
	m, err := s.st.getMember(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if m == nil || m.OrgID != o.ID {
		return nil, errAccountNotFound(id)
	}
	return m, nil
}

// DescribeAccount describes a member account.
func (s *Service) DescribeAccount(ctx context.Context, c *authz.Caller, in *AccountIdInput) (*DescribeAccountOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:DescribeAccount", management,
		func(o *orgRow) string { return s.arn.account(o, in.AccountId) }, nil)
	if err != nil {
		return nil, err
	}
	m, err := s.member(ctx, s.st.db, ss.org, in.AccountId)
	if err != nil {
		return nil, err
	}
	a, err := s.accountShape(ctx, ss.org, m, nil)
	if err != nil {
		return nil, err
	}
	return &DescribeAccountOutput{Account: a}, nil
}

type MoveAccountInput struct {
	AccountId           string `required:"true" max:"12" pattern:"^\\d{12}$"`
	SourceParentId      string `required:"true" max:"100" pattern:"^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"`
	DestinationParentId string `required:"true" max:"100" pattern:"^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"`
}

// MoveAccount moves an account between parents; its principals see the new
// aws:PrincipalOrgPaths and SCP chain on their next request.
func (s *Service) MoveAccount(ctx context.Context, c *authz.Caller, in *MoveAccountInput) (*Empty, error) {
	ss, err := s.begin(ctx, c, "organizations:MoveAccount", management,
		func(o *orgRow) string { return s.arn.account(o, in.AccountId) }, nil)
	if err != nil {
		return nil, err
	}
	o := ss.org
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		m, err := s.member(ctx, tx, o, in.AccountId)
		if err != nil {
			return err
		}
		if u, err := s.st.getUnit(ctx, tx, o.ID, in.SourceParentId); err != nil {
			return err
		} else if u == nil {
			return errorf(SourceParentNotFound, "We can't find a source root or OU with the ParentId that you specified.")
		}
		if u, err := s.st.getUnit(ctx, tx, o.ID, in.DestinationParentId); err != nil {
			return err
		} else if u == nil {
			return errorf(DestinationParentNotFound, "We can't find the destination container (a root or OU) with the ParentId that you specified.")
		}
		if m.ParentID != in.SourceParentId {
			return errAccountNotFound(in.AccountId)
		}
		if in.DestinationParentId == in.SourceParentId {
			return errorf(DuplicateAccount, "That account is already present in the specified destination.")
		}
		return s.st.moveMember(ctx, tx, in.AccountId, in.DestinationParentId)
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(in.AccountId)
	return &Empty{}, nil
}

// RemoveAccountFromOrganization makes a member account standalone again.
func (s *Service) RemoveAccountFromOrganization(ctx context.Context, c *authz.Caller, in *AccountIdInput) (*Empty, error) {
	ss, err := s.begin(ctx, c, "organizations:RemoveAccountFromOrganization", management,
		func(o *orgRow) string { return s.arn.account(o, in.AccountId) }, nil)
	if err != nil {
		return nil, err
	}
	if err := s.removeMember(ctx, ss.org, in.AccountId); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// LeaveOrganization removes the caller's own account from its organization.
func (s *Service) LeaveOrganization(ctx context.Context, c *authz.Caller, _ *Empty) (*Empty, error) {
	ss, err := s.begin(ctx, c, "organizations:LeaveOrganization", anyMember, nil, nil)
	if err != nil {
		return nil, err
	}
	if err := s.removeMember(ctx, ss.org, c.AccountID); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

func (s *Service) removeMember(ctx context.Context, o *orgRow, acct string) error {
	if acct == o.Management {
		return errorf(MasterCannotLeaveOrganization, "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization.")
	}
	err := s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.member(ctx, tx, o, acct); err != nil {
			return err
		}
		if ds, err := s.st.delegations(ctx, tx, o.ID, acct, ""); err != nil {
			return err
		} else if len(ds) > 0 {
			return reasonf(ConstraintViolation, "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "You attempted to remove an account that is registered as a delegated administrator for a service integrated with your organization. To complete this operation, you must first deregister this account as a delegated administrator.")
		}
		return s.st.deleteMember(ctx, tx, o.ID, acct)
	})
	if err != nil {
		return err
	}
	s.invalidate(acct)
	return nil
}
