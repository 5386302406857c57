package server

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openpca/openpca/internal/awsprofile"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/store"
)

// ProfileName is the profile written for the management account.
const ProfileName = "openpca"

const settingManagementAccount = "management_account_id"

// BootstrapSpec fixes the first account's identifiers (test rigs); empty
// fields are generated.
type BootstrapSpec struct {
	AccountID       string
	AccessKeyID     string
	SecretAccessKey string
}

// BootstrapResult tells what the first start created, or found.
type BootstrapResult struct {
	AccountID string
	Created   bool
}

// Bootstrap creates the management account and its root access key on the
// first start and writes the openpca profile; later starts only point every
// profile at endpoint. Nothing is ever regenerated.
func (a *App) Bootstrap(ctx context.Context, spec BootstrapSpec, endpoint string) (*BootstrapResult, error) {
	id, err := a.DB.Setting(ctx, settingManagementAccount)
	if err != nil {
		return nil, err
	}
	res := &BootstrapResult{AccountID: id}
	if id == "" {
		acct, err := a.IAMStore.CreateAccount(ctx, iam.AccountSpec{
			ID:                  spec.AccountID,
			Name:                "management",
			RootAccessKeyID:     spec.AccessKeyID,
			RootSecretAccessKey: spec.SecretAccessKey,
		})
		if err != nil {
			return nil, fmt.Errorf("bootstrap account: %w", err)
		}
		if err := awsprofile.Write(a.cfg.DataDir, awsprofile.Profile{
			Name:            ProfileName,
			AccessKeyID:     acct.RootAccessKeyID,
			SecretAccessKey: acct.RootSecretAccessKey,
			Region:          a.cfg.Region,
			EndpointURL:     endpoint,
		}); err != nil {
			return nil, fmt.Errorf("write profile: %w", err)
		}
		if err := a.DB.Tx(ctx, func(tx *sql.Tx) error {
			return store.SetSetting(ctx, tx, settingManagementAccount, acct.AccountID)
		}); err != nil {
			return nil, err
		}
		res.AccountID, res.Created = acct.AccountID, true
	}
	if err := awsprofile.SetEndpoint(a.cfg.DataDir, endpoint); err != nil {
		return nil, fmt.Errorf("update profiles: %w", err)
	}
	// The internal CA's bundle lets the CLI and SDKs verify the server;
	// without it (plain HTTP, operator certificates) the key is removed.
	if err := awsprofile.SetCABundle(a.cfg.DataDir, a.caBundle); err != nil {
		return nil, fmt.Errorf("update profiles: %w", err)
	}
	return res, nil
}

// ManagementAccount is the bootstrap account's ID ("" before the first start).
func (a *App) ManagementAccount(ctx context.Context) (string, error) {
	return a.DB.Setting(ctx, settingManagementAccount)
}
