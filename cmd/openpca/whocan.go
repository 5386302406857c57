package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/openpca/openpca/internal/server"
)

type whoCanCmd struct {
	DataDir   string `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory of the server."`
	Database  string `env:"OPENPCA_DATABASE_URL" help:"postgres:// URL of the shared database (default: SQLite in the data directory)."`
	CA        string `name:"ca" required:"" help:"Certificate authority ARN."`
	Action    string `default:"acm-pca:IssueCertificate" help:"Action to analyse (one of the seven a CA policy may grant)."`
	MasterKey string `env:"OPENPCA_MASTER_KEY" hidden:""`
}

func (c *whoCanCmd) Run() error {
	ctx := context.Background()
	app, err := server.Open(ctx, server.Config{DataDir: c.DataDir, Database: c.Database, MasterKey: c.MasterKey})
	if err != nil {
		return err
	}
	defer app.Close()
	access, err := app.WhoCan(ctx, c.CA, c.Action)
	if err != nil {
		return err
	}
	fmt.Printf("Principals that can perform %s on %s now:\n", c.Action, c.CA)
	if len(access) == 0 {
		fmt.Println("  (none)")
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PRINCIPAL\tTYPE\tACCOUNT\tWHY\tSTATEMENTS")
	for _, a := range access {
		var st []string
		for _, s := range a.Statements {
			ref := fmt.Sprintf("%s #%d", s.Policy, s.Index)
			if s.Sid != "" {
				ref += fmt.Sprintf(" (Sid %q)", s.Sid)
			}
			st = append(st, ref)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", a.PrincipalArn, a.PrincipalType, a.AccountId, a.Reason, strings.Join(st, "; "))
	}
	return w.Flush()
}
