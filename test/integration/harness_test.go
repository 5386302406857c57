// Package integration drives a whole in-process OpenPCA server through the
// official AWS SDK for Go v2 clients, the way users do.
package integration

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/regions"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store/storetest"
)

const (
	mgmtAccount = "111122223333"
	mgmtKeyID   = "AKIAOPENPCATESTROOT1"
	mgmtSecret  = "rootSecretAccessKeyForTests0000000000000"
)

// rig is one running server.
type rig struct {
	t       *testing.T
	dataDir string
	app     *server.App
	srv     *httptest.Server
	clock   *clock.Fake
}

// newRig starts a server on a random port over a fresh (or given) data dir.
func newRig(t *testing.T, dataDir string) *rig {
	t.Helper()
	return newRigIn(t, dataDir, "us-east-1", "")
}

// newRigIn starts a server whose default region is region, serving the
// comma-separated regions served ("": every region).
func newRigIn(t *testing.T, dataDir, region, served string) *rig {
	t.Helper()
	set, err := regions.ParseList(served)
	if err != nil {
		t.Fatal(err)
	}
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("OPENPCA_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	app, err := server.Open(context.Background(), server.Config{DataDir: dataDir, Database: storetest.DatabaseFor(t, dataDir), Region: region, Regions: set, Clock: clk, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler)
	srv.Start()
	return startRig(t, dataDir, app, srv, clk)
}

// startRig bootstraps the management account on app, served by the
// started srv, marks it ready and stops both when the test ends.
func startRig(t testing.TB, dataDir string, app *server.App, srv *httptest.Server, clk *clock.Fake) *rig {
	t.Helper()
	if _, err := app.Bootstrap(context.Background(), server.BootstrapSpec{
		AccountID: mgmtAccount, AccessKeyID: mgmtKeyID, SecretAccessKey: mgmtSecret,
	}, srv.URL); err != nil {
		t.Fatal(err)
	}
	app.SetReady(true)
	r := &rig{dataDir: dataDir, app: app, srv: srv, clock: clk}
	if tt, ok := t.(*testing.T); ok {
		r.t = tt
	}
	t.Cleanup(r.stop)
	return r
}

func (r *rig) stop() {
	if r.srv != nil {
		r.srv.Close()
		r.app.Close()
		r.srv = nil
	}
}

func (r *rig) awsConfig(keyID, secret, token string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, token),
		BaseEndpoint: aws.String(r.srv.URL),
		// The fake clock may be ahead of the wall clock; requests are signed
		// with the fake's time so the server sees no skew.
		RetryMaxAttempts: 1,
	}
}

func (r *rig) iam(keyID, secret, token string) *iam.Client {
	return iam.NewFromConfig(r.awsConfig(keyID, secret, token))
}

func (r *rig) sts(keyID, secret, token string) *sts.Client {
	return sts.NewFromConfig(r.awsConfig(keyID, secret, token))
}

func (r *rig) rootIAM() *iam.Client { return r.iam(mgmtKeyID, mgmtSecret, "") }
func (r *rig) rootSTS() *sts.Client { return r.sts(mgmtKeyID, mgmtSecret, "") }

// apiError asserts err is an AWS API error with code and returns its message.
func apiError(t *testing.T, err error, code string) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	return ae.ErrorMessage()
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
