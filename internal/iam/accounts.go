package iam

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
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

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// Given root keys come from test rigs (OPENPCA_BOOTSTRAP_*), whose suites
// sign with keys like FOOBARKEY/FOOBARSECRET or test/test: any printable
// ASCII without spaces. A key ID must also fit a SigV4 credential scope
// (no '/' or ',') and not look like a session key (ASIA…). Keys IAM
// generates keep AWS's format.
const maxGivenKey = 128

func givenKeyIDOK(id string) bool {
	return printableKey(id) && !strings.ContainsAny(id, "/,") && !strings.HasPrefix(id, prefixSession)
}

func printableKey(s string) bool {
	if s == "" || len(s) > maxGivenKey {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// CreateAccount creates an account with a root access key. Given values are
// used as they are (so bootstrap is deterministic); it fails when the
// account ID or the access key ID already exists.
func (s *Store) CreateAccount(ctx context.Context, spec AccountSpec) (*CreatedAccount, error) {
	var out *CreatedAccount
	err := s.tx(ctx, func(tx *sql.Tx) error {
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
