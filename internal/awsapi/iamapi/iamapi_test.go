package iamapi

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/iam"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/store/storetest"
)

// creds adapts iam.Store to awsapi.CredentialStore (the server package does
// the same in production).
type creds struct{ st *iam.Store }

func (c creds) LookupCredential(ctx context.Context, akid string) (*awsapi.Credential, error) {
	rk, err := c.st.LookupCredential(ctx, akid)
	if err != nil || rk == nil {
		return nil, err
	}
	return &awsapi.Credential{SecretAccessKey: rk.SecretAccessKey, SessionToken: rk.SessionToken, Expiration: rk.Expiration, Principal: rk.Principal}, nil
}

const (
	acct       = "111122223333"
	rootKey    = "AKIAROOTROOTROOT0001"
	rootSecret = "root-secret-0123456789abcdefghijklmnopq"
)

func TestWithSDKClients(t *testing.T) {
	ctx := context.Background()
	db, err := storetest.OpenDir(ctx, t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
	srv := httptest.NewServer(awsapi.New(awsapi.Config{Clock: clk}, creds{st}, IAM(svc), STS(svc)))
	defer srv.Close()

	cfg := func(key, secret, token string) aws.Config {
		return aws.Config{
			Region:       "us-east-1",
			Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
			HTTPClient:   srv.Client(),
			Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
			BaseEndpoint: aws.String(srv.URL),
		}
	}
	rootIAM := awsiam.NewFromConfig(cfg(rootKey, rootSecret, ""))

	if _, err := rootIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob"), Path: aws.String("/eng/")}); err != nil {
		t.Fatal(err)
	}
	got, err := rootIAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})
	if err != nil || aws.ToString(got.User.Arn) != "arn:aws:iam::"+acct+":user/eng/bob" {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	list, err := rootIAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil || len(list.Users) != 1 || list.IsTruncated {
		t.Fatalf("ListUsers = %+v, %v", list, err)
	}
	_, err = rootIAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nobody")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" || ae.ErrorMessage() != "The user with name nobody cannot be found." {
		t.Fatalf("missing user error = %v", err)
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := rootIAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("issuer"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	role, err := rootIAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("issuer")})
	if err != nil {
		t.Fatal(err)
	}
	// IAM sends documents URL-encoded; the Go SDK leaves them so.
	if doc, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument)); doc != trust {
		t.Fatalf("trust document on the wire = %q", aws.ToString(role.Role.AssumeRolePolicyDocument))
	}
	if _, err := rootIAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := rootIAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}

	bobSTS := sts.NewFromConfig(cfg(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	id, err := bobSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::"+acct+":user/eng/bob" || aws.ToString(id.Account) != acct {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}
	ar, err := bobSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	c := ar.Credentials
	sessSTS := sts.NewFromConfig(cfg(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	id, err = sessSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+acct+":assumed-role/issuer/s1" || aws.ToString(id.UserId) != aws.ToString(ar.AssumedRoleUser.AssumedRoleId) {
		t.Fatalf("session GetCallerIdentity = %+v, %v", id, err)
	}
	// The session has no IAM permissions: AccessDenied.
	_, err = awsiam.NewFromConfig(cfg(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))).ListUsers(ctx, &awsiam.ListUsersInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("session ListUsers error = %v", err)
	}
	// Deactivating bob's key stops it at once.
	if _, err := rootIAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: key.AccessKey.AccessKeyId, Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	_, err = bobSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
		t.Fatalf("inactive key error = %v", err)
	}
}

func TestMapError(t *testing.T) {
	cases := []struct {
		kind   iam.ErrorKind
		code   string
		status int
	}{
		{iam.NoSuchEntity, "NoSuchEntity", 404},
		{iam.EntityAlreadyExists, "EntityAlreadyExists", 409},
		{iam.LimitExceeded, "LimitExceeded", 409},
		{iam.InvalidInput, "InvalidInput", 400},
		{iam.MalformedPolicyDocument, "MalformedPolicyDocument", 400},
		{iam.DeleteConflict, "DeleteConflict", 409},
		{iam.UnmodifiableEntity, "UnmodifiableEntity", 400},
		{iam.ServiceNotSupported, "NotSupportedService", 404},
		{iam.PackedPolicyTooLarge, "PackedPolicyTooLarge", 400},
		{iam.ValidationError, "ValidationError", 400},
		{iam.AccessDenied, "AccessDenied", 403},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			e := MapError(&iam.Error{Kind: c.kind, Message: "m"})
			if e == nil || e.Code != c.code || e.Status != c.status || e.Message != "m" || !e.Sender {
				t.Fatalf("MapError = %+v", e)
			}
		})
	}
	if MapError(errors.New("other")) != nil {
		t.Fatal("non-iam error mapped")
	}
}
