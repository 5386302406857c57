package org

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

// Delegated administrators: members the management account lets act as
// administrator of an AWS service integrated with Organizations. A service
// needs trusted access (EnableAWSServiceAccess) first; disabling it
// deregisters the service's delegated administrators.

type DelegatedAdministratorInput struct {
	AccountId        string `required:"true" max:"12" pattern:"^\\d{12}$"`
	ServicePrincipal string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]*"`
}

var errNotRegistered = errorf(AccountNotRegistered, "The specified account is not a delegated administrator for this Amazon Web Services service.")

// delegation authorizes action and checks what Register and Deregister
// share: a recognized service and a member account.
func (s *Service) delegation(ctx context.Context, c *authz.Caller, action string, in *DelegatedAdministratorInput) (*session, *memberRow, error) {
	ss, err := s.begin(ctx, c, action, management, func(o *orgRow) string { return s.arn.account(o, in.AccountId) },
		map[string][]string{"organizations:ServicePrincipal": {in.ServicePrincipal}})
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(trustedServices, in.ServicePrincipal) {
		return nil, nil, reasonf(InvalidInput, "UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	if in.AccountId == ss.org.Management {
		return nil, nil, reasonf(ConstraintViolation, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You attempted to register the management account of the organization as a delegated administrator for an Amazon Web Services service integrated with Organizations. You can designate only a member account as a delegated administrator.")
	}
	m, err := s.member(ctx, s.st.db, ss.org, in.AccountId)
	if err != nil {
		return nil, nil, err
	}
	return ss, m, nil
}

// RegisterDelegatedAdministrator makes a member the delegated administrator
// of a service with trusted access.
func (s *Service) RegisterDelegatedAdministrator(ctx context.Context, c *authz.Caller, in *DelegatedAdministratorInput) (*Empty, error) {
	ss, m, err := s.delegation(ctx, c, "organizations:RegisterDelegatedAdministrator", in)
	if err != nil {
		return nil, err
	}
	if !m.ClosedAt.IsZero() {
		return nil, reasonf(ConstraintViolation, "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR", "You cannot register a suspended account as a delegated administrator.")
	}
	err = s.st.db.Tx(ctx, func(tx *sql.Tx) error {
		on, err := s.st.serviceAccessOn(ctx, tx, ss.org.ID, in.ServicePrincipal)
		if err != nil {
			return err
		}
		if !on {
			return reasonf(ConstraintViolation, "SERVICE_ACCESS_NOT_ENABLED", "You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first.")
		}
		err = s.st.insertDelegation(ctx, tx, ss.org.ID, &delegationRow{AccountID: m.AccountID, Service: in.ServicePrincipal, EnabledAt: s.clk.Now()})
		if store.IsUniqueViolation(err) {
			return errorf(AccountAlreadyRegistered, "The specified account is already a delegated administrator for this Amazon Web Services service.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// DeregisterDelegatedAdministrator withdraws a member's delegation.
func (s *Service) DeregisterDelegatedAdministrator(ctx context.Context, c *authz.Caller, in *DelegatedAdministratorInput) (*Empty, error) {
	_, m, err := s.delegation(ctx, c, "organizations:DeregisterDelegatedAdministrator", in)
	if err != nil {
		return nil, err
	}
	gone, err := s.st.deleteDelegation(ctx, s.st.db, m.AccountID, in.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	if !gone {
		return nil, errNotRegistered
	}
	return &Empty{}, nil
}

// DelegatedAdministrator is a member registered for at least one service.
type DelegatedAdministrator struct {
	Id                    string
	Arn                   string
	Email                 string
	Name                  string
	Status                string
	State                 string
	JoinedMethod          string
	JoinedTimestamp       time.Time
	DelegationEnabledDate time.Time
}

// DelegatedService is a service a member administers.
type DelegatedService struct {
	ServicePrincipal      string
	DelegationEnabledDate time.Time
}

type ListDelegatedAdministratorsInput struct {
	ServicePrincipal string `min:"1" max:"128" pattern:"[\\w+=,.@-]*"`
	NextToken        string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults       *int   `min:"1" max:"20"`
}

type ListDelegatedAdministratorsOutput struct {
	DelegatedAdministrators []DelegatedAdministrator
	NextToken               string `json:",omitempty"`
}

// ListDelegatedAdministrators lists the members registered as delegated
// administrators, for one service or any.
func (s *Service) ListDelegatedAdministrators(ctx context.Context, c *authz.Caller, in *ListDelegatedAdministratorsInput) (*ListDelegatedAdministratorsOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListDelegatedAdministrators", management, nil, nil)
	if err != nil {
		return nil, err
	}
	if in.ServicePrincipal != "" && !slices.Contains(trustedServices, in.ServicePrincipal) {
		return nil, reasonf(InvalidInput, "UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	all, err := s.st.delegations(ctx, s.st.db, ss.org.ID, "", in.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	// One entry per account, with its earliest delegation.
	var admins []delegationRow
	for _, d := range all {
		if n := len(admins); n > 0 && admins[n-1].AccountID == d.AccountID {
			if d.EnabledAt.Before(admins[n-1].EnabledAt) {
				admins[n-1].EnabledAt = d.EnabledAt
			}
			continue
		}
		admins = append(admins, d)
	}
	page, next, err := paginate(admins, func(d delegationRow) string { return d.AccountID },
		ss.scope("ListDelegatedAdministrators", in.ServicePrincipal), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	names, err := s.accountNames(ctx)
	if err != nil {
		return nil, err
	}
	out := &ListDelegatedAdministratorsOutput{DelegatedAdministrators: []DelegatedAdministrator{}, NextToken: next}
	for _, d := range page {
		m, err := s.st.getMember(ctx, s.st.db, d.AccountID)
		if err != nil {
			return nil, err
		}
		if m == nil {
			continue
		}
		a, err := s.accountShape(ctx, ss.org, m, names)
		if err != nil {
			return nil, err
		}
		out.DelegatedAdministrators = append(out.DelegatedAdministrators, DelegatedAdministrator{
			Id: a.Id, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: a.Status, State: a.State,
			JoinedMethod: a.JoinedMethod, JoinedTimestamp: a.JoinedTimestamp, DelegationEnabledDate: d.EnabledAt,
		})
	}
	return out, nil
}

type ListDelegatedServicesForAccountInput struct {
	AccountId  string `required:"true" max:"12" pattern:"^\\d{12}$"`
	NextToken  string `max:"100000" pattern:"[\\s\\S]*"`
	MaxResults *int   `min:"1" max:"20"`
}

type ListDelegatedServicesForAccountOutput struct {
	DelegatedServices []DelegatedService
	NextToken         string `json:",omitempty"`
}

// ListDelegatedServicesForAccount lists the services a member administers.
func (s *Service) ListDelegatedServicesForAccount(ctx context.Context, c *authz.Caller, in *ListDelegatedServicesForAccountInput) (*ListDelegatedServicesForAccountOutput, error) {
	ss, err := s.begin(ctx, c, "organizations:ListDelegatedServicesForAccount", management,
		func(o *orgRow) string { return s.arn.account(o, in.AccountId) }, nil)
	if err != nil {
		return nil, err
	}
	if _, err := s.member(ctx, s.st.db, ss.org, in.AccountId); err != nil {
		return nil, err
	}
	all, err := s.st.delegations(ctx, s.st.db, ss.org.ID, in.AccountId, "")
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, errNotRegistered
	}
	page, next, err := paginate(all, func(d delegationRow) string { return d.Service },
		ss.scope("ListDelegatedServicesForAccount", in.AccountId), in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListDelegatedServicesForAccountOutput{DelegatedServices: []DelegatedService{}, NextToken: next}
	for _, d := range page {
		out.DelegatedServices = append(out.DelegatedServices, DelegatedService{ServicePrincipal: d.Service, DelegationEnabledDate: d.EnabledAt})
	}
	return out, nil
}
