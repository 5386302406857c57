// Command openpca is the OpenPCA server and its administration tool.
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"
)

// DefaultListen is the documented loopback address of `openpca serve`.
const DefaultListen = "127.0.0.1:8420"

type cli struct {
	Serve    serveCmd    `cmd:"" help:"Serve the AWS-compatible APIs."`
	Admin    adminCmd    `cmd:"" help:"Administration commands that work on the data directory."`
	Loadtest loadtestCmd `cmd:"" help:"Send signed requests from concurrent clients and report throughput and latency."`
}

type adminCmd struct {
	CreateAccount   createAccountCmd      `cmd:"" help:"Create a standalone account with a root access key and add a profile for it."`
	Explain         explainCmd            `cmd:"" help:"Explain an authorization decision in plain words."`
	WhoCan          whoCanCmd             `cmd:"" name:"who-can" help:"List every principal of every account that can perform an action on a CA right now, and why (the operator's full view)."`
	RenewalHealth   renewalHealthCmd      `cmd:"" name:"renewal-health" help:"List the managed certificates a CA signs in every account and predict which renewals would fail now."`
	Backup          backupCmd             `cmd:"" help:"Write a consistent copy of the data directory (while the server runs) to an archive."`
	Restore         restoreCmd            `cmd:"" help:"Restore an archive written by backup into a new, empty data directory."`
	ConsolePass     setConsolePasswordCmd `cmd:"" name:"set-console-password" help:"Give an IAM user (by default a new administrator of the management account) a console password, printed once."`
	RotateMasterKey rotateMasterKeyCmd    `cmd:"" name:"rotate-master-key" help:"With every server stopped, re-seal every stored secret with a new master key in one transaction."`
	MigrateStore    migrateStoreCmd       `cmd:"" name:"migrate-store" help:"With every server stopped, copy the embedded (SQLite) store of --from into an empty PostgreSQL database in one transaction; secrets stay sealed by the same master key."`
}

func main() {
	var c cli
	ctx := kong.Parse(&c,
		kong.Name("openpca"),
		kong.Description("OpenPCA: a self-hosted private certificate authority that speaks the AWS Private CA APIs."),
		kong.UsageOnError(),
	)
	if err := ctx.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "openpca:", err)
		os.Exit(1)
	}
}
