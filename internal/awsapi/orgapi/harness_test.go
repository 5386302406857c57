package orgapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/awsapi/iamapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/org"
	"github.com/openpca/openpca/internal/store/storetest"
)

const (
	mgmtAccount = "111122223333"
	mgmtKey     = "AKIAOPENPCATESTROOT1"
	mgmtSecret  = "rootSecretAccessKeyForTests0000000000000"
)

// creds adapts iam.Store to awsapi.CredentialStore, as internal/server does.
type creds struct{ st *iam.Store }

func (c creds) LookupCredential(ctx context.Context, akid string) (*awsapi.Credential, error) {
	rk, err := c.st.LookupCredential(ctx, akid)
	if err != nil || rk == nil {
		return nil, err
	}
	return &awsapi.Credential{SecretAccessKey: rk.SecretAccessKey, SessionToken: rk.SessionToken, Expiration: rk.Expiration, Principal: rk.Principal}, nil
}

// stack is a whole in-process server: IAM, STS and Organizations over one
// store and one authorization engine.
type stack struct {
	t        *testing.T
	ctx      context.Context
	clk      *clock.Fake
	iamStore *iam.Store
	orgStore *org.Store
	engine   *authz.Engine
	srv      *httptest.Server
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	db, err := storetest.OpenDir(ctx, t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mk, err := keystore.NewMasterKey(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	// The SDK signs with the wall clock, so the fake starts there.
	clk := clock.NewFake(time.Now().Truncate(time.Second))
	iamStore := iam.NewStore(db, mk, clk, iam.Config{})
	orgStore := org.NewStore(db, clk, org.Config{})
	engine := authz.New(iamStore, orgStore, clk)
	iamSvc := iam.New(iamStore, engine)
	orgSvc := org.New(orgStore, iamStore, engine)
	if _, err := iamStore.CreateAccount(ctx, iam.AccountSpec{ID: mgmtAccount, Name: "management", Email: "mgmt@example.com",
		RootAccessKeyID: mgmtKey, RootSecretAccessKey: mgmtSecret}); err != nil {
		t.Fatal(err)
	}
	api := awsapi.New(awsapi.Config{Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, GuardCredentials(orgStore, creds{iamStore}), iamapi.IAM(iamSvc), iamapi.STS(iamSvc), Service(orgSvc))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &stack{t: t, ctx: ctx, clk: clk, iamStore: iamStore, orgStore: orgStore, engine: engine, srv: srv}
}

func (s *stack) cfg(key, secret, token string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
		HTTPClient:   s.srv.Client(),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
		BaseEndpoint: aws.String(s.srv.URL),
	}
}

// clients signing with one key.
type clients struct {
	org *organizations.Client
	iam *awsiam.Client
	sts *sts.Client
}

func (s *stack) as(key, secret, token string) clients {
	c := s.cfg(key, secret, token)
	return clients{org: organizations.NewFromConfig(c), iam: awsiam.NewFromConfig(c), sts: sts.NewFromConfig(c)}
}

// standalone creates an account outside any organization, as
// `openpca admin create-account` does, and returns its root's clients.
func (s *stack) standalone(id, name string) clients {
	s.t.Helper()
	a, err := s.iamStore.CreateAccount(s.ctx, iam.AccountSpec{ID: id, Name: name, Email: name + "@example.com"})
	if err != nil {
		s.t.Fatal(err)
	}
	return s.as(a.RootAccessKeyID, a.RootSecretAccessKey, "")
}

// apiCode returns the AWS error code of err ("" for nil).
func apiCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
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
