package integration

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/clock"
	iamstore "github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store/storetest"
)

// newRigConfig starts a server like newRig, with cfg adjusted by tune and
// the listener started by start (httptest's Start or StartTLS).
func newRigConfig(t *testing.T, tune func(*server.Config), start func(*httptest.Server)) *rig {
	t.Helper()
	dataDir := t.TempDir()
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	cfg := server.Config{DataDir: dataDir, Database: storetest.DatabaseFor(t, dataDir), Region: "us-east-1", Clock: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if tune != nil {
		tune(&cfg)
	}
	app, err := server.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler)
	if start == nil {
		srv.Start()
	} else {
		start(srv)
	}
	return startRig(t, dataDir, app, srv, clk)
}

// TestThrottlingPerAccount: past its per-account rate an account gets the
// protocol's throttling error (query Throttling 400, JSON
// ThrottlingException 400); other accounts are unaffected and the bucket
// refills with time (issue #16 item 6).
func TestThrottlingPerAccount(t *testing.T) {
	r := newRigConfig(t, func(c *server.Config) { c.RateLimit, c.RateBurst = 1, 2 }, nil)
	ctx := context.Background()
	other, err := r.app.IAMStore.CreateAccount(ctx, iamstore.AccountSpec{Name: "other", Email: "other@openpca.invalid"})
	if err != nil {
		t.Fatal(err)
	}
	root := r.rootSTS()
	for i := range 2 {
		if _, err := root.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}
	_, err = root.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if msg := apiError(t, err, "Throttling"); msg != "Rate exceeded" {
		t.Errorf("message %q", msg)
	}
	_, err = r.pca(creds{mgmtKeyID, mgmtSecret, ""}).ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{})
	apiError(t, err, "ThrottlingException")

	if _, err := r.sts(other.RootAccessKeyID, other.RootSecretAccessKey, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("another account is throttled too: %v", err)
	}
	r.clock.Advance(time.Second)
	if _, err := root.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("after a second the bucket has a token again: %v", err)
	}
}
