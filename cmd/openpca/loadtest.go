package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/openpca/openpca/internal/loadtest"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/server"
)

type loadtestCmd struct {
	Endpoint     string        `help:"Server endpoint (default: the profile's endpoint_url)."`
	Profile      string        `default:"openpca" env:"AWS_PROFILE" help:"AWS profile whose credentials sign the requests."`
	Operation    string        `default:"GetCallerIdentity" enum:"GetCallerIdentity,GetUser,IssueCertificate,GetCertificate,DescribeCertificateAuthority,RequestCertificate,DescribeCertificate,ListCertificates,GetPolicy,GetResourceShares,mixed" help:"Operation to send: GetCallerIdentity, GetUser; acm-pca IssueCertificate, GetCertificate, DescribeCertificateAuthority, GetPolicy; acm RequestCertificate (until ISSUED), DescribeCertificate, ListCertificates; ram GetResourceShares; or mixed (see --mix)."`
	Mix          string        `help:"Weights of the mixed profile, Operation=weight,… (empty: loadtest.DefaultMix, 70 % reads, 20 % IssueCertificate, 10 % RequestCertificate)."`
	Accounts     int           `default:"200" help:"Member accounts the mixed profile creates (Organizations CreateAccount, then AssumeRole) to call through the RAM-shared CA."`
	KeyAlgorithm string        `default:"EC_prime256v1" enum:"EC_prime256v1,RSA_2048" help:"Key algorithm of the CA that acm-pca operations create and use (and of RequestCertificate's key)."`
	Concurrency  int           `short:"c" default:"16" help:"Concurrent clients."`
	Requests     int           `short:"n" default:"0" help:"Total requests (0: run for --duration)."`
	Duration     time.Duration `short:"d" default:"10s" help:"How long to run when --requests is 0."`
}

func (c *loadtestCmd) Run() error {
	server.TuneGC()
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(c.Profile))
	if err != nil {
		return err
	}
	creds, err := awsCfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	endpoint := c.Endpoint
	if endpoint == "" && awsCfg.BaseEndpoint != nil {
		endpoint = *awsCfg.BaseEndpoint
	}
	if endpoint == "" {
		return fmt.Errorf("no endpoint: pass --endpoint or use a profile with endpoint_url")
	}
	region := awsCfg.Region
	if region == "" {
		region = regions.Default
	}
	rep, err := loadtest.Run(ctx, loadtest.Config{
		Endpoint: endpoint, Region: region, Credentials: creds, Operation: c.Operation, KeyAlgorithm: c.KeyAlgorithm,
		Concurrency: c.Concurrency, Requests: c.Requests, Duration: c.Duration, Mix: c.Mix, Accounts: c.Accounts,
		Setup: func(s string) { fmt.Fprintln(os.Stderr, s) },
		// scripts/bench.sh samples the server's CPU time from here on.
		OnStart: func() { fmt.Fprintln(os.Stderr, "load started") },
	})
	if err != nil {
		return err
	}
	fmt.Fprint(os.Stdout, rep.Format())
	if rep.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed", rep.Errors, rep.Requests)
	}
	return nil
}
