package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/openpca/openpca/internal/server"
)

type renewalHealthCmd struct {
	DataDir   string `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory of the server."`
	Database  string `env:"OPENPCA_DATABASE_URL" help:"postgres:// URL of the shared database (default: SQLite in the data directory)."`
	CA        string `name:"ca" required:"" help:"Certificate authority ARN."`
	MasterKey string `env:"OPENPCA_MASTER_KEY" hidden:""`
}

// Run lists every managed certificate the CA signs, in every account, and
// the predicted outcome of renewing it now; it exits 3 when any renewal is
// predicted to fail.
func (c *renewalHealthCmd) Run() error {
	ctx := context.Background()
	app, err := server.Open(ctx, server.Config{DataDir: c.DataDir, Database: c.Database, MasterKey: c.MasterKey})
	if err != nil {
		return err
	}
	defer app.Close()
	out, err := app.ACM.RenewalHealthOf(ctx, c.CA)
	if err != nil {
		return err
	}
	fmt.Printf("Managed certificates signed by %s:\n", c.CA)
	if len(out.Certificates) == 0 {
		fmt.Println("  (none)")
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CERTIFICATE\tACCOUNT\tNOT AFTER\tNEXT RENEWAL\tPREDICTED\tREASON\tFIXED BY")
	failing := 0
	for _, h := range out.Certificates {
		next := "-"
		if !h.NextRenewalAt.IsZero() {
			next = h.NextRenewalAt.Format(time.RFC3339)
		}
		if h.PredictedOutcome != "SUCCESS" {
			failing++
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.CertificateArn, h.AccountId, h.NotAfter.Format(time.RFC3339),
			next, h.PredictedOutcome, dash(h.PredictedReason), dash(h.FixedBy))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if failing > 0 {
		fmt.Printf("%d renewal(s) predicted to fail.\n", failing)
		app.Close()
		os.Exit(3)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
