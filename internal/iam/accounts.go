package iam

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"

	"github.com/openpca/openpca/internal/store"
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
	out := &CreatedAccount{AccountID: spec.ID, RootAccessKeyID: spec.RootAccessKeyID, RootSecretAccessKey: spec.RootSecretAccessKey}
	if out.AccountID == "" {
		out.AccountID = newAccountID()
	} else if !accountIDPattern.MatchString(out.AccountID) {
		return nil, errorf(InvalidInput, "Account ID %q must be 12 digits.", out.AccountID)
	}
	if out.RootAccessKeyID == "" {
		out.RootAccessKeyID = newAccessKeyID(prefixAccessKey)
	} else if !keyIDPattern.MatchString(out.RootAccessKeyID) {
		return nil, errorf(InvalidInput, "Access key ID must be 16 to 128 upper-case letters and digits.")
	}
	if out.RootSecretAccessKey == "" {
		out.RootSecretAccessKey = newSecret()
	} else if len(out.RootSecretAccessKey) < 16 {
		return nil, errorf(InvalidInput, "Secret access key must be at least 16 characters.")
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
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		existing, err := s.getAccount(ctx, tx, out.AccountID)
		if err != nil {
			return err
		}
		if existing != nil {
			return errorf(EntityAlreadyExists, "Account %s already exists.", out.AccountID)
		}
		if k, err := s.getAccessKey(ctx, tx, out.RootAccessKeyID); err != nil {
			return err
		} else if k != nil {
			return errorf(EntityAlreadyExists, "Access key %s already exists.", out.RootAccessKeyID)
		}
		if err := s.insertAccount(ctx, tx, &Account{ID: out.AccountID, Name: name, Email: spec.Email, CreatedAt: now}); err != nil {
			return err
		}
		return s.insertAccessKey(ctx, tx, &accessKeyRow{
			ID: out.RootAccessKeyID, AccountID: out.AccountID, Status: statusActive, Sealed: sealed, CreatedAt: now,
		})
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errorf(EntityAlreadyExists, "Account %s or access key %s already exists.", out.AccountID, out.RootAccessKeyID)
		}
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
