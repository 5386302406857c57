package integration

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/awsprofile"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/tlsca"
)

// tlsRig is a server behind App.Serve with the internal CA's TLS, as
// `openpca serve --tls=on` runs it.
type tlsRig struct {
	app      *server.App
	dataDir  string
	endpoint string
}

func newTLSRig(t *testing.T) *tlsRig {
	t.Helper()
	r := newRigConfig(t, nil, func(*httptest.Server) {}) // its listener is unused
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.app.EnableTLS(ctx, server.TLSOptions{Names: server.ListenNames("127.0.0.1")}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.app.Serve(ctx, ln, time.Second) }()
	t.Cleanup(func() { cancel(); <-done })
	endpoint := "https://" + ln.Addr().String()
	if _, err := r.app.Bootstrap(ctx, server.BootstrapSpec{
		AccountID: mgmtAccount, AccessKeyID: mgmtKeyID, SecretAccessKey: mgmtSecret,
	}, endpoint); err != nil {
		t.Fatal(err)
	}
	return &tlsRig{app: r.app, dataDir: r.dataDir, endpoint: endpoint}
}

// profileConfig loads the generated profile exactly as the CLI's exports
// point the SDK at it: nothing but the files.
func profileConfig(t *testing.T, dataDir, profile string) aws.Config {
	t.Helper()
	// AWS_CA_BUNDLE, when set (as on this machine), overrides the
	// profile's ca_bundle in every SDK and the CLI.
	t.Setenv("AWS_CA_BUNDLE", "")
	cfgFile, credFile := awsprofile.Paths(dataDir)
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithSharedConfigFiles([]string{cfgFile}),
		config.WithSharedCredentialsFiles([]string{credFile}),
		config.WithSharedConfigProfile(profile),
		config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestTLSWithGeneratedProfile: the internal CA's bundle lands in the data
// dir and in the profile's ca_bundle, and an SDK client built from the
// profile alone verifies the server; a client without the bundle does not
// (issue #16 item 5).
func TestTLSWithGeneratedProfile(t *testing.T) {
	r := newTLSRig(t)
	bundle, err := awsprofile.Get(r.dataDir, server.ProfileName, "ca_bundle")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.Abs(filepath.Join(r.dataDir, tlsca.BundleFile)); bundle != want {
		t.Fatalf("ca_bundle = %q, want %q", bundle, want)
	}
	if ep, _ := awsprofile.Endpoint(r.dataDir, server.ProfileName); ep != r.endpoint {
		t.Fatalf("endpoint_url = %q, want %q", ep, r.endpoint)
	}
	out, err := sts.NewFromConfig(profileConfig(t, r.dataDir, server.ProfileName)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("SDK with the generated profile over TLS: %v", err)
	}
	if aws.ToString(out.Account) != mgmtAccount {
		t.Fatalf("account %s", aws.ToString(out.Account))
	}

	// The system roots alone do not trust the internal CA.
	plain := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(r.endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(mgmtKeyID, mgmtSecret, "")}
	_, err = sts.NewFromConfig(plain).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	var cve *tls.CertificateVerificationError
	if err == nil || !errors.As(err, &cve) {
		t.Fatalf("client without the bundle: %v", err)
	}

	// Plain HTTP on the TLS port is refused, not served.
	resp, err := http.Get("http://" + strings.TrimPrefix(r.endpoint, "https://") + "/healthz")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP served on the TLS listener")
		}
	}
}

// TestSecureTransportCondition: aws:SecureTransport reflects the
// connection: a deny on "false" stops a plain request and lets the same
// request over TLS through.
func TestSecureTransportCondition(t *testing.T) {
	const policy = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":"iam:*","Resource":"*"},` +
		`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	setup := func(t *testing.T, root *iam.Client) (string, string) {
		ctx := context.Background()
		must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("tls-only")}))
		must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("tls-only"),
			PolicyName: aws.String("tls-only"), PolicyDocument: aws.String(policy)}))
		k := must[*iam.CreateAccessKeyOutput](t)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("tls-only")}))
		return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	}
	t.Run("plain", func(t *testing.T) {
		r := newRigConfig(t, nil, nil)
		id, secret := setup(t, r.rootIAM())
		_, err := r.iam(id, secret, "").ListUsers(context.Background(), &iam.ListUsersInput{})
		msg := apiError(t, err, "AccessDenied")
		if !strings.Contains(msg, "explicit deny") {
			t.Fatalf("message %q", msg)
		}
	})
	t.Run("tls", func(t *testing.T) {
		r := newTLSRig(t)
		base := profileConfig(t, r.dataDir, server.ProfileName)
		id, secret := setup(t, iam.NewFromConfig(base))
		user := base.Copy()
		user.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
		if _, err := iam.NewFromConfig(user).ListUsers(context.Background(), &iam.ListUsersInput{}); err != nil {
			t.Fatalf("over TLS: %v", err)
		}
	})
}
