package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/openpca/openpca/internal/awsprofile"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/server"
)

type createAccountCmd struct {
	DataDir   string `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory of the server."`
	Database  string `env:"OPENPCA_DATABASE_URL" help:"postgres:// URL of the shared database (default: SQLite in the data directory)."`
	Name      string `required:"" help:"Account name; also the profile name written with --write-profile."`
	Email     string `help:"Account e-mail (defaults to NAME@openpca.invalid)."`
	Region    string `default:"us-east-1" env:"OPENPCA_REGION"`
	MasterKey string `env:"OPENPCA_MASTER_KEY" hidden:""`
	// The root key is printed; storing it in a file is the operator's
	// explicit choice (docs/security.md).
	WriteProfile bool `help:"Also add profile NAME with the root access key to DATA_DIR/aws/{config,credentials}."`
}

func (c *createAccountCmd) Run() error {
	ctx := context.Background()
	app, err := server.Open(ctx, server.Config{DataDir: c.DataDir, Database: c.Database, Region: c.Region, MasterKey: c.MasterKey})
	if err != nil {
		return err
	}
	defer app.Close()
	email := c.Email
	if email == "" {
		email = c.Name + "@openpca.invalid"
	}
	acct, err := app.IAMStore.CreateAccount(ctx, iam.AccountSpec{Name: c.Name, Email: email})
	if err != nil {
		return err
	}
	if c.WriteProfile {
		if err := c.writeProfile(acct); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(map[string]string{
		"AccountId":       acct.AccountID,
		"AccessKeyId":     acct.RootAccessKeyID,
		"SecretAccessKey": acct.RootSecretAccessKey,
	})
}

func (c *createAccountCmd) writeProfile(acct *iam.CreatedAccount) error {
	endpoint, err := awsprofile.Endpoint(c.DataDir, server.ProfileName)
	if err != nil {
		return err
	}
	if endpoint == "" {
		endpoint = "http://" + DefaultListen
	}
	bundle, err := awsprofile.Get(c.DataDir, server.ProfileName, "ca_bundle")
	if err != nil {
		return err
	}
	if err := awsprofile.Write(c.DataDir, awsprofile.Profile{
		Name:            c.Name,
		AccessKeyID:     acct.RootAccessKeyID,
		SecretAccessKey: acct.RootSecretAccessKey,
		Region:          c.Region,
		EndpointURL:     endpoint,
		CABundle:        bundle,
	}); err != nil {
		return fmt.Errorf("write profile: %w", err)
	}
	return nil
}
