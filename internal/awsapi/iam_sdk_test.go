package awsapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// iamClient is the real SDK client pointed at the harness, without retries
// so that each call is one request.
func (h *harness) iamClient(key, secret, token string) *iam.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token),
		HTTPClient:  h.srv.Client(),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(h.srv.URL) })
}

func TestIAMWithSDK(t *testing.T) {
	h := newHarness(t, 0)
	ctx := context.Background()
	c := h.iamClient(userKey, userSecret, "")

	t.Run("caller identity and Caller fields", func(t *testing.T) {
		out, err := c.GetUser(ctx, &iam.GetUserInput{})
		if err != nil {
			t.Fatal(err)
		}
		u := out.User
		if aws.ToString(u.Arn) != userARN || aws.ToString(u.UserName) != "alice" || aws.ToString(u.Path) != "/"+userKey+"/127.0.0.1/" {
			t.Fatalf("user %+v", u)
		}
		if !u.CreateDate.Equal(testCreateDate) {
			t.Fatalf("CreateDate %v", u.CreateDate)
		}
	})

	t.Run("create with tags, then list", func(t *testing.T) {
		for _, name := range []string{"bob", "carol"} {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String("/eng/"),
				Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("pki & <ops>")}, {Key: aws.String("n"), Value: aws.String("")}}})
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.User.Tags) != 2 || aws.ToString(got.User.Tags[0].Value) != "pki & <ops>" || aws.ToString(got.User.Tags[1].Key) != "n" {
			t.Fatalf("tags %+v", got.User.Tags)
		}
		list, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/eng/"), MaxItems: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Users) != 1 || !list.IsTruncated || aws.ToString(list.Marker) != "next" {
			t.Fatalf("list %+v", list)
		}
		all, err := c.ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil || len(all.Users) != 2 || all.IsTruncated {
			t.Fatalf("list all %+v %v", all, err)
		}
	})

	t.Run("url-encoded policy document", func(t *testing.T) {
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForCertificateManager")})
		if err != nil {
			t.Fatal(err)
		}
		raw := aws.ToString(out.Role.AssumeRolePolicyDocument)
		if strings.ContainsAny(raw, `{"`) {
			t.Fatalf("document not URL-encoded: %s", raw)
		}
		doc, err := url.QueryUnescape(raw)
		if err != nil || doc != trustPolicy || !json.Valid([]byte(doc)) {
			t.Fatalf("decoded %q (%v)", doc, err)
		}
		if aws.ToInt32(out.Role.MaxSessionDuration) != 3600 {
			t.Fatalf("MaxSessionDuration %v", out.Role.MaxSessionDuration)
		}
	})

	t.Run("empty output", func(t *testing.T) {
		if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")}); err != nil {
			t.Fatal(err)
		}
	})

	errTests := []struct {
		name   string
		call   func() error
		code   string
		msg    string
		status int
	}{
		{"NoSuchEntity", func() error {
			_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity", "The user with name nobody cannot be found.", 404},
		{"EntityAlreadyExists", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")})
			return err
		}, "EntityAlreadyExists", "User with name bob already exists.", 409},
		{"validation: length and pattern", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("x", 64) + "/")})
			return err
		}, "ValidationError", "2 validation errors detected: Value '" + strings.Repeat("x", 64) + "/' at 'userName' failed to satisfy constraint: " +
			"Member must have length less than or equal to 64; Value '" + strings.Repeat("x", 64) + "/' at 'userName' failed to satisfy constraint: " +
			"Member must satisfy regular expression pattern: [\\w+=,.@-]+", 400},
		{"validation: number range", func() error {
			_, err := c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(0)})
			return err
		}, "ValidationError", "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", 400},
		{"validation: nested list member", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave"),
				Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}, {Key: aws.String(""), Value: aws.String("c")}}})
			return err
		}, "ValidationError", "1 validation error detected: Value '' at 'tags.member.2.key' failed to satisfy constraint: Member must have length greater than or equal to 1", 400},
		{"AccessDenied", func() error {
			_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("denied")})
			return err
		}, "AccessDenied", "User: " + userARN + " is not authorized to perform: test:Op", 403},
		{"ServiceFailure", func() error {
			_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("boom")})
			return err
		}, "ServiceFailure", "We encountered an internal error. Please try again.", 500},
		{"InvalidClientTokenId", func() error {
			_, err := h.iamClient("AKIANOBODYNOBODY0001", "x", "").GetUser(ctx, &iam.GetUserInput{})
			return err
		}, "InvalidClientTokenId", "The security token included in the request is invalid.", 403},
		{"SignatureDoesNotMatch", func() error {
			_, err := h.iamClient(userKey, "wrong", "").GetUser(ctx, &iam.GetUserInput{})
			return err
		}, "SignatureDoesNotMatch", "The request signature we calculated does not match", 403},
		{"ExpiredToken", func() error {
			_, err := h.iamClient(expiredKey, expiredSecret, expiredToken).GetUser(ctx, &iam.GetUserInput{})
			return err
		}, "ExpiredToken", "The security token included in the request is expired", 403},
	}
	for _, tc := range errTests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an APIError", err)
			}
			if ae.ErrorCode() != tc.code || !strings.HasPrefix(ae.ErrorMessage(), tc.msg) {
				t.Fatalf("got %s %q, want %s %q", ae.ErrorCode(), ae.ErrorMessage(), tc.code, tc.msg)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tc.status || len(re.ServiceRequestID()) != 36 {
				t.Fatalf("response error %v", err)
			}
		})
	}

	t.Run("session credentials", func(t *testing.T) {
		out, err := h.iamClient(sessionKey, sessionSecret, sessionToken).GetUser(ctx, &iam.GetUserInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.User.Arn) != "arn:aws:sts::111122223333:assumed-role/r/s" {
			t.Fatalf("arn %v", aws.ToString(out.User.Arn))
		}
	})
}
