package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/openpca/openpca/internal/awsprofile"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/server"
)

type serveCmd struct {
	DataDir   string        `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory (database, master key, AWS profiles)."`
	Listen    string        `default:"127.0.0.1:8420" env:"OPENPCA_LISTEN" help:"HOST:PORT to listen on (port 0 picks a free one)."`
	Region    string        `default:"us-east-1" env:"OPENPCA_REGION" help:"Default region, written into the generated AWS profile; must be served."`
	Regions   string        `default:"all" env:"OPENPCA_REGIONS" help:"Comma-separated regions served (default: every region of every partition); other credential scopes are refused."`
	LogLevel  string        `default:"info" enum:"debug,info,warn,error" env:"OPENPCA_LOG_LEVEL" help:"Log level."`
	Drain     time.Duration `default:"20s" help:"How long SIGTERM waits for in-flight requests."`
	MasterKey string        `env:"OPENPCA_MASTER_KEY" hidden:"" help:"Base64 master key (else DATA_DIR/master.key)."`
	PublicURL string        `env:"OPENPCA_PUBLIC_URL" help:"Base URL written into certificates' CRL distribution points and OCSP locations (default: the listen endpoint)."`
	CRLDir    string        `env:"OPENPCA_CRL_DIR" type:"path" help:"Directory that also receives every published CRL, for a static web server."`

	BootstrapAccountID       string `env:"OPENPCA_BOOTSTRAP_ACCOUNT_ID" hidden:""`
	BootstrapAccessKeyID     string `env:"OPENPCA_BOOTSTRAP_ACCESS_KEY_ID" hidden:""`
	BootstrapSecretAccessKey string `env:"OPENPCA_BOOTSTRAP_SECRET_ACCESS_KEY" hidden:""`
}

func (c *serveCmd) Run() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	served, err := regions.ParseList(c.Regions)
	if err != nil {
		return fmt.Errorf("--regions: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// Listen first: with port 0 the endpoint, which certificates name for
	// CRLs and OCSP, is known only now.
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	endpoint := "http://" + ln.Addr().String()
	public := c.PublicURL
	if public == "" {
		public = endpoint
	}
	app, err := server.Open(ctx, server.Config{
		DataDir:   c.DataDir,
		Region:    c.Region,
		Regions:   served,
		MasterKey: c.MasterKey,
		Logger:    logger,
		PublicURL: public,
		CRLDir:    c.CRLDir,
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	boot, err := app.Bootstrap(ctx, server.BootstrapSpec{
		AccountID:       c.BootstrapAccountID,
		AccessKeyID:     c.BootstrapAccessKeyID,
		SecretAccessKey: c.BootstrapSecretAccessKey,
	}, endpoint)
	if err != nil {
		ln.Close()
		return err
	}
	if boot.Created {
		logger.Info("created management account", "account_id", boot.AccountID)
	}
	fmt.Printf("OpenPCA listening on %s (management account %s)\n", endpoint, boot.AccountID)
	fmt.Printf("Console: %s/console/ (give a user a password: openpca admin set-console-password --user NAME)\n", endpoint)
	fmt.Println("Use the aws CLI or boto3 with:")
	fmt.Println(strings.Join(awsprofile.Exports(c.DataDir, server.ProfileName), "\n"))
	logger.Info("listening", "endpoint", endpoint, "data_dir", c.DataDir)

	if err := app.Serve(ctx, ln, c.Drain); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}
