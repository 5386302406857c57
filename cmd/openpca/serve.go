package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/openpca/openpca/internal/awsprofile"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/server"
)

type serveCmd struct {
	DataDir   string        `default:"./openpca-data" env:"OPENPCA_DATA_DIR" help:"Data directory (database, master key, AWS profiles)."`
	Database  string        `env:"OPENPCA_DATABASE_URL" help:"postgres:// URL of the shared database (default: SQLite in the data directory)."`
	Listen    string        `default:"127.0.0.1:8420" env:"OPENPCA_LISTEN" help:"HOST:PORT to listen on (port 0 picks a free one)."`
	Region    string        `default:"us-east-1" env:"OPENPCA_REGION" help:"Default region, written into the generated AWS profile; must be served."`
	Regions   string        `default:"all" env:"OPENPCA_REGIONS" help:"Comma-separated regions served (default: every region of every partition); other credential scopes are refused."`
	LogLevel  string        `default:"info" enum:"debug,info,warn,error" env:"OPENPCA_LOG_LEVEL" help:"Log level."`
	Drain     time.Duration `default:"20s" help:"How long SIGTERM waits for in-flight requests."`
	MasterKey string        `env:"OPENPCA_MASTER_KEY" hidden:"" help:"Base64 master key (else DATA_DIR/master.key)."`
	PublicURL string        `env:"OPENPCA_PUBLIC_URL" help:"Base URL written into certificates' CRL distribution points and OCSP locations (default: the listen endpoint)."`
	CRLDir    string        `env:"OPENPCA_CRL_DIR" type:"path" help:"Directory that also receives every published CRL, at <dir>/<account-id>/<CRL URL path>, for a static web server."`
	TLS       string        `default:"auto" enum:"auto,on,off" env:"OPENPCA_TLS" help:"TLS on the listener: auto (on unless the listen address is loopback), on, off."`
	TLSCert   string        `env:"OPENPCA_TLS_CERT" type:"path" help:"PEM certificate (chain) to serve instead of one from the internal CA; needs --tls-key."`
	TLSKey    string        `env:"OPENPCA_TLS_KEY" type:"path" help:"PEM private key of --tls-cert."`
	TLSName   []string      `env:"OPENPCA_TLS_NAME" help:"Extra DNS name or IP address for the internal CA's server certificate (repeatable)."`
	RateLimit float64       `default:"20000" env:"OPENPCA_RATE_LIMIT" help:"Requests per second allowed per account before ThrottlingException (0: no limit)."`
	RateBurst int           `default:"40000" env:"OPENPCA_RATE_BURST" help:"Requests an account may send at once above the rate (the bucket size)."`
	// Metrics are unauthenticated, as Prometheus scrapes them; this moves
	// them off a public listener (docs/observability.md).
	MetricsListen string `env:"OPENPCA_METRICS_LISTEN" help:"HOST:PORT serving GET /metrics (plain HTTP) instead of the main listener."`

	PKCS11Module  string `name:"pkcs11-module" env:"OPENPCA_PKCS11_MODULE" type:"path" help:"PKCS#11 module (shared library): new CA keys are generated in its token (binary built with -tags pkcs11)."`
	PKCS11Token   string `name:"pkcs11-token" env:"OPENPCA_PKCS11_TOKEN" help:"Label of the PKCS#11 token."`
	PKCS11PinFile string `name:"pkcs11-pin-file" env:"OPENPCA_PKCS11_PIN_FILE" type:"path" help:"File holding the token's user PIN."`

	// Profiles for scripts/bench.sh --profile, written when the server stops.
	CPUProfile string `hidden:"" type:"path" help:"Write a CPU profile of the serving time to this file."`
	MemProfile string `hidden:"" type:"path" help:"Write an allocation profile to this file on exit."`

	BootstrapAccountID       string `env:"OPENPCA_BOOTSTRAP_ACCOUNT_ID" hidden:""`
	BootstrapAccessKeyID     string `env:"OPENPCA_BOOTSTRAP_ACCESS_KEY_ID" hidden:""`
	BootstrapSecretAccessKey string `env:"OPENPCA_BOOTSTRAP_SECRET_ACCESS_KEY" hidden:""`
}

func (c *serveCmd) Run() error {
	server.TuneGC()
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return err
	}
	logOut := newLogWriter(os.Stderr)
	defer logOut.Close()
	logger := slog.New(flushOnWarn{slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}), logOut})
	served, err := regions.ParseList(c.Regions)
	if err != nil {
		return fmt.Errorf("--regions: %w", err)
	}
	hsm, err := c.pkcs11()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// Listen first: with port 0 the endpoint, which certificates name for
	// CRLs and OCSP, is known only now.
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	useTLS := c.TLS == "on" || (c.TLS == "auto" && !server.IsLoopback(c.Listen)) || c.TLSCert != ""
	if c.TLS == "off" && c.TLSCert != "" {
		ln.Close()
		return fmt.Errorf("--tls=off contradicts --tls-cert")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		ln.Close()
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	scheme := "http://"
	if useTLS {
		scheme = "https://"
	}
	endpoint := scheme + endpointAddr(ln.Addr())
	public := c.PublicURL
	if public == "" {
		public = endpoint
	}
	app, err := server.Open(ctx, server.Config{
		Serving:   true,
		DataDir:   c.DataDir,
		Database:  c.Database,
		Region:    c.Region,
		Regions:   served,
		MasterKey: c.MasterKey,
		Logger:    logger,
		PublicURL: public,
		CRLDir:    c.CRLDir,
		RateLimit: c.RateLimit,
		RateBurst: c.RateBurst,
		PKCS11:    hsm,

		MetricsSeparate: c.MetricsListen != "",
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	if c.MetricsListen != "" {
		stop, addr, err := server.ServeMetrics(c.MetricsListen, app.Metrics.Handler(), logger)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics listener: %w", err)
		}
		defer stop()
		logger.Info("metrics listening", "address", addr)
	}
	if useTLS {
		host, _, _ := net.SplitHostPort(c.Listen)
		extra := slices.Clone(c.TLSName)
		if u, err := url.Parse(public); err == nil && u.Hostname() != "" {
			extra = append(extra, u.Hostname())
		}
		if err := app.EnableTLS(ctx, server.TLSOptions{CertFile: c.TLSCert, KeyFile: c.TLSKey,
			Names: server.ListenNames(host, extra...)}); err != nil {
			ln.Close()
			return err
		}
	}
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
	if app.CABundle() != "" {
		fmt.Printf("TLS certificate from the internal CA; clients verify it with %s (ca_bundle in the profiles)\n", app.CABundle())
		if v := os.Getenv("AWS_CA_BUNDLE"); v != "" && v != app.CABundle() {
			fmt.Println("Note: AWS_CA_BUNDLE is set and overrides the profiles' ca_bundle; unset it in the client's shell.")
		}
	}
	fmt.Printf("Console: %s/console/ (give a user a password: openpca admin set-console-password --user NAME)\n", endpoint)
	fmt.Println("Use the aws CLI or boto3 with:")
	fmt.Println(strings.Join(awsprofile.Exports(c.DataDir, server.ProfileName), "\n"))
	logger.Info("listening", "endpoint", endpoint, "data_dir", c.DataDir)
	logOut.Flush() // start-up lines at once; access lines batch from here

	stopProfiles, err := startProfiles(c.CPUProfile, c.MemProfile)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopProfiles()
	if err := app.Serve(ctx, ln, c.Drain); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// endpointAddr is the address profiles use: a listener on every interface
// is reached locally through the loopback address, which the server
// certificate names.
func endpointAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// pkcs11 reads the token settings; the PIN comes from a file so it stays
// out of the process list and the environment.
func (c *serveCmd) pkcs11() (keystore.PKCS11Config, error) {
	if c.PKCS11Module == "" {
		if c.PKCS11Token != "" || c.PKCS11PinFile != "" {
			return keystore.PKCS11Config{}, fmt.Errorf("--pkcs11-token and --pkcs11-pin-file need --pkcs11-module")
		}
		return keystore.PKCS11Config{}, nil
	}
	if c.PKCS11Token == "" || c.PKCS11PinFile == "" {
		return keystore.PKCS11Config{}, fmt.Errorf("--pkcs11-module needs --pkcs11-token and --pkcs11-pin-file")
	}
	pin, err := os.ReadFile(c.PKCS11PinFile)
	if err != nil {
		return keystore.PKCS11Config{}, fmt.Errorf("--pkcs11-pin-file: %w", err)
	}
	return keystore.PKCS11Config{Module: c.PKCS11Module, Token: c.PKCS11Token, PIN: strings.TrimRight(string(pin), "\r\n")}, nil
}

// startProfiles starts the CPU profile; the returned func stops it and
// writes the allocation profile.
func startProfiles(cpuPath, memPath string) (func(), error) {
	var cpu *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		cpu = f
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if memPath != "" {
			if f, err := os.Create(memPath); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}
	}, nil
}
