package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/openpca/openpca/internal/server"
)

type explainCmd struct {
	DataDir            string   `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory of the server."`
	Database           string   `env:"OPENPCA_DATABASE_URL" help:"postgres:// URL of the shared database (default: SQLite in the data directory)."`
	Principal          string   `required:"" help:"Caller ARN: arn:aws:iam::ACCT:root, …:user/NAME, …:role/NAME or arn:aws:sts::ACCT:assumed-role/ROLE/SESSION."`
	Action             string   `required:"" help:"Action, e.g. acm-pca:IssueCertificate."`
	Resource           string   `default:"*" help:"Resource ARN."`
	ResourceAccount    string   `help:"Account that owns the resource (default: from the ARN)."`
	ResourcePolicyFile string   `type:"existingfile" help:"A resource policy to evaluate with the request."`
	Context            []string `help:"Context entries key=value (repeat a key for several values)."`
	MasterKey          string   `env:"OPENPCA_MASTER_KEY" hidden:""`
}

func (c *explainCmd) Run() error {
	ctx := context.Background()
	app, err := server.Open(ctx, server.Config{DataDir: c.DataDir, Database: c.Database, MasterKey: c.MasterKey})
	if err != nil {
		return err
	}
	defer app.Close()
	in := server.ExplainInput{
		PrincipalARN:    c.Principal,
		Action:          c.Action,
		Resource:        c.Resource,
		ResourceAccount: c.ResourceAccount,
		Context:         map[string][]string{},
	}
	for _, kv := range c.Context {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("--context %q: want key=value", kv)
		}
		in.Context[k] = append(in.Context[k], v)
	}
	if c.ResourcePolicyFile != "" {
		b, err := os.ReadFile(c.ResourcePolicyFile)
		if err != nil {
			return err
		}
		in.ResourcePolicy = string(b)
	}
	p, d, err := app.Explain(ctx, in)
	if err != nil {
		return err
	}
	fmt.Print(server.FormatDecision(p, c.Action, c.Resource, d))
	if !d.Allowed {
		os.Exit(3)
	}
	return nil
}
