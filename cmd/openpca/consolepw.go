package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/openpca/openpca/internal/console"
	"github.com/openpca/openpca/internal/server"
)

type setConsolePasswordCmd struct {
	DataDir       string `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory of the server."`
	Database      string `env:"OPENPCA_DATABASE_URL" help:"postgres:// URL of the shared database (default: SQLite in the data directory)."`
	User          string `required:"" help:"IAM user name; created with AdministratorAccess if it does not exist."`
	Account       string `help:"Account ID (default: the management account created at first start)."`
	ResetRequired bool   `help:"Require a new password at first sign-in."`
	MasterKey     string `env:"OPENPCA_MASTER_KEY" hidden:""`
}

func (c *setConsolePasswordCmd) Run() error {
	ctx := context.Background()
	app, err := server.Open(ctx, server.Config{DataDir: c.DataDir, Database: c.Database, MasterKey: c.MasterKey})
	if err != nil {
		return err
	}
	defer app.Close()
	acct := c.Account
	if acct == "" {
		if acct, err = app.ManagementAccount(ctx); err != nil {
			return err
		}
		if acct == "" {
			return errors.New("no management account yet: run `openpca serve` once first")
		}
	}
	out, err := console.SetAdminPassword(ctx, app.IAM, acct, "aws", c.User, c.ResetRequired)
	if err != nil {
		return err
	}
	if out.CreatedUser {
		fmt.Printf("Created IAM user %s in account %s with AdministratorAccess.\n", out.UserName, out.AccountID)
	}
	fmt.Printf("Console sign-in: account %s, user %s, password (shown only now):\n%s\n", out.AccountID, out.UserName, out.Password)
	return nil
}
