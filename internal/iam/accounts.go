package iam

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
)

// AccountSpec describes an account to create; empty fields are generated.
type AccountSpec struct {
	ID                  string
	Name                string
	Email               string
	RootAccessKeyID     string
	RootSecretAccessKey string
}

// CreatedAccount is the new account and its root access key.
type CreatedAccount struct {
	AccountID           string
	RootAccessKeyID     string
	RootSecretAccessKey string
}

var (
	accountIDPattern = regexp.MustCompile(`^\d{12}$`)
	keyIDPattern     = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
)

// CreateAccount creates an account with a root access key. Given values are
// used as they are (so bootstrap is deterministic); it fails when the
// account ID or the access key ID already exists.
func (s *Store) CreateAccount(ctx context.Context, spec AccountSpec) (*CreatedAccount, error) {
	var out *CreatedAccount
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.CreateAccountTx(ctx, tx, spec)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LookupAccount returns the account, or nil when it does not exist.
func (s *Store) LookupAccount(ctx context.Context, id string) (*Account, error) {
	return s.getAccount(ctx, s.db, id)
}

// ListAccounts returns every account ordered by ID.
func (s *Store) ListAccounts(ctx context.Context) ([]Account, error) {
	return s.listAccounts(ctx)
}

// requireAccount fails unless the account exists (used for cross-account role ARNs).
func (s *Store) accountExists(ctx context.Context, q querier, id string) (bool, error) {
	a, err := s.getAccount(ctx, q, id)
	if err != nil {
		return false, fmt.Errorf("lookup account: %w", err)
	}
	return a != nil, nil
}
