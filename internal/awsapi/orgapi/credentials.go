package orgapi

import (
	"context"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/org"
)

// GuardCredentials wraps a credential store so that the access keys and
// sessions of accounts closed by CloseAccount stop working: nobody can use
// a closed AWS account, so its credentials answer as unknown ones do
// (UnrecognizedClientException, InvalidClientTokenId).
func GuardCredentials(st *org.Store, next awsapi.CredentialStore) awsapi.CredentialStore {
	return closedGuard{st: st, next: next}
}

type closedGuard struct {
	st   *org.Store
	next awsapi.CredentialStore
}

func (g closedGuard) LookupCredential(ctx context.Context, id string) (*awsapi.Credential, error) {
	c, err := g.next.LookupCredential(ctx, id)
	if err != nil || c == nil || c.Principal.AccountID == "" {
		return c, err
	}
	closed, err := g.st.AccountClosed(ctx, c.Principal.AccountID)
	if err != nil || closed {
		return nil, err
	}
	return c, nil
}
