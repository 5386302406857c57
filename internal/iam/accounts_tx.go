package iam

import (
	"context"
	"database/sql"
	"strings"

	"github.com/openpca/openpca/internal/policy"
	"github.com/openpca/openpca/internal/store"
)

// Variants of the account operations that run in a transaction the caller
// owns, so another service (Organizations) can create an account, its
// membership and its access role in one commit: a failure at any step
// leaves nothing behind. tx must come from the database the Store uses.

// CreateAccountTx is CreateAccount inside tx.
func (s *Store) CreateAccountTx(ctx context.Context, tx *sql.Tx, spec AccountSpec) (*CreatedAccount, error) {
	out := &CreatedAccount{AccountID: spec.ID, RootAccessKeyID: spec.RootAccessKeyID, RootSecretAccessKey: spec.RootSecretAccessKey}
	if out.AccountID == "" {
		out.AccountID = newAccountID()
	} else if !accountIDPattern.MatchString(out.AccountID) {
		return nil, errorf(InvalidInput, "Account ID %q must be 12 digits.", out.AccountID)
	}
	if out.RootAccessKeyID == "" {
		out.RootAccessKeyID = newAccessKeyID(prefixAccessKey)
	} else if !givenKeyIDOK(out.RootAccessKeyID) {
		return nil, errorf(InvalidInput, "Access key ID must be 1 to 128 printable characters without spaces, '/' or ',', not starting with ASIA.")
	}
	if out.RootSecretAccessKey == "" {
		out.RootSecretAccessKey = newSecret()
	} else if !printableKey(out.RootSecretAccessKey) {
		return nil, errorf(InvalidInput, "Secret access key must be 1 to 128 printable characters without spaces.")
	}
	name := spec.Name
	if name == "" {
		name = "account-" + out.AccountID
	}
	now := s.clk.Now()
	sealed, err := s.sealSecret(out.RootAccessKeyID, []byte(out.RootSecretAccessKey))
	if err != nil {
		return nil, err
	}
	existing, err := s.getAccount(ctx, tx, out.AccountID)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		return nil, errorf(EntityAlreadyExists, "Account %s already exists.", out.AccountID)
	}
	if k, err := s.getAccessKey(ctx, tx, out.RootAccessKeyID); err != nil {
		return nil, err
	} else if k != nil {
		return nil, errorf(EntityAlreadyExists, "Access key %s already exists.", out.RootAccessKeyID)
	}
	err = s.insertAccount(ctx, tx, &Account{ID: out.AccountID, Name: name, Email: spec.Email, CreatedAt: now})
	if err == nil {
		err = s.insertAccessKey(ctx, tx, &accessKeyRow{
			ID: out.RootAccessKeyID, AccountID: out.AccountID, Status: statusActive, Sealed: sealed, CreatedAt: now,
		})
	}
	if store.IsUniqueViolation(err) {
		return nil, errorf(EntityAlreadyExists, "Account %s or access key %s already exists.", out.AccountID, out.RootAccessKeyID)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AccountEmailTakenTx reports, inside tx, whether an account already uses
// email (compared case-insensitively).
func (s *Store) AccountEmailTakenTx(ctx context.Context, tx *sql.Tx, email string) (bool, error) {
	emails, err := s.accountEmails(ctx, tx)
	if err != nil {
		return false, err
	}
	for _, e := range emails {
		if strings.EqualFold(e, email) {
			return true, nil
		}
	}
	return false, nil
}

// CreateRoleDirectTx is CreateRoleDirect inside tx.
func (s *Store) CreateRoleDirectTx(ctx context.Context, tx *sql.Tx, spec RoleSpec) (*Role, error) {
	path := normPath(spec.Path)
	if _, err := policy.Parse([]byte(spec.TrustPolicy), policy.Trust); err != nil {
		return nil, &Error{Kind: MalformedPolicyDocument, Message: err.Error()}
	}
	maxDur := spec.MaxSessionDuration
	if maxDur == 0 {
		maxDur = defaultSessionSeconds
	}
	for _, arn := range spec.ManagedPolicyARNs {
		if m := s.managed.get(arn); m != nil && m.serviceRolePolicy() {
			return nil, errorf(PolicyNotAttachable, "Cannot attach a Service Role Policy to a Customer Role.")
		}
	}
	r := &roleRow{
		ID: newUniqueID(prefixRole), AccountID: spec.AccountID, Name: spec.Name, Path: path, Description: spec.Description,
		TrustPolicy: spec.TrustPolicy, MaxSessionDuration: maxDur, CreatedAt: s.clk.Now(),
	}
	exists := errorf(EntityAlreadyExists, "Role with name %s already exists.", spec.Name)
	if ok, err := s.accountExists(ctx, tx, spec.AccountID); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorf(NoSuchEntity, "Account %s does not exist.", spec.AccountID)
	}
	if other, err := s.getRole(ctx, tx, spec.AccountID, spec.Name); err != nil {
		return nil, err
	} else if other != nil {
		return nil, exists
	}
	for _, arn := range spec.ManagedPolicyARNs {
		if s.managed.get(arn) != nil {
			continue
		}
		p, err := s.getPolicyByARN(ctx, tx, arn)
		if err != nil {
			return nil, err
		}
		if p == nil || p.AccountID != spec.AccountID {
			return nil, noSuchPolicy(arn)
		}
	}
	if err := s.insertRole(ctx, tx, r); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, exists
		}
		return nil, err
	}
	for _, arn := range spec.ManagedPolicyARNs {
		if err := s.attach(ctx, tx, spec.AccountID, r.ID, "role", arn); err != nil {
			return nil, err
		}
	}
	d := r.MaxSessionDuration
	return &Role{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: s.arn.role(r.AccountID, r.Path, r.Name), CreateDate: r.CreatedAt,
		AssumeRolePolicyDocument: r.TrustPolicy, Description: r.Description, MaxSessionDuration: &d,
	}, nil
}
