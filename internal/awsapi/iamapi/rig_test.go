package iamapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store/storetest"
)

// rig is an in-process iam+sts server driven by the SDK clients.
type rig struct {
	t    *testing.T
	ctx  context.Context
	clk  *clock.Fake
	st   *iam.Store
	svc  *iam.Service
	srv  *httptest.Server
	root *awsiam.Client
}

// keys are one set of credentials.
type keys struct{ id, secret, token string }

func newRig(t *testing.T) *rig {
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
	st := iam.NewStore(db, mk, clk, iam.Config{})
	svc := iam.New(st, authz.New(st, nil, clk))
	if _, err := st.CreateAccount(ctx, iam.AccountSpec{ID: acct, RootAccessKeyID: rootKey, RootSecretAccessKey: rootSecret}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(awsapi.New(awsapi.Config{Clock: clk, Logger: slog.New(slog.DiscardHandler)}, creds{st}, IAM(svc), STS(svc)))
	t.Cleanup(srv.Close)
	r := &rig{t: t, ctx: ctx, clk: clk, st: st, svc: svc, srv: srv}
	r.root = r.iam(keys{rootKey, rootSecret, ""})
	return r
}

func (r *rig) cfg(k keys) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(k.id, k.secret, k.token),
		HTTPClient:   r.srv.Client(),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
		BaseEndpoint: aws.String(r.srv.URL),
	}
}

func (r *rig) iam(k keys) *awsiam.Client { return awsiam.NewFromConfig(r.cfg(k)) }
func (r *rig) sts(k keys) *sts.Client    { return sts.NewFromConfig(r.cfg(k)) }

// user creates a user with an inline policy and an access key.
func (r *rig) user(name, doc string) keys {
	r.t.Helper()
	if _, err := r.root.CreateUser(r.ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		r.t.Fatal(err)
	}
	if doc != "" {
		if _, err := r.root.PutUserPolicy(r.ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			r.t.Fatal(err)
		}
	}
	k, err := r.root.CreateAccessKey(r.ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		r.t.Fatal(err)
	}
	return keys{aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""}
}

// role creates a role the account may assume, with an inline policy.
func (r *rig) role(name, doc string) string {
	r.t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	out, err := r.root.CreateRole(r.ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		r.t.Fatal(err)
	}
	if doc != "" {
		if _, err := r.root.PutRolePolicy(r.ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			r.t.Fatal(err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

func sessionKeys(c *ststypes.Credentials) keys {
	return keys{aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)}
}

// wantErr asserts err is an API error with code (and msg, when not "").
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
