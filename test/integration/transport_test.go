package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/store"
)

type rawReq struct {
	service, region string
	keyID, secret   string
	contentType     string
	target          string
	body            []byte
	signedAt        time.Time
	mutate          func(*http.Request) // after signing
}

func (r *rig) send(t *testing.T, q rawReq) (int, http.Header, string) {
	t.Helper()
	if q.region == "" {
		q.region = "us-east-1"
	}
	if q.keyID == "" {
		q.keyID, q.secret = mgmtKeyID, mgmtSecret
	}
	if q.contentType == "" {
		q.contentType = "application/x-www-form-urlencoded; charset=utf-8"
	}
	if q.signedAt.IsZero() {
		q.signedAt = time.Now()
	}
	req, err := http.NewRequest(http.MethodPost, r.srv.URL+"/", bytes.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", q.contentType)
	if q.target != "" {
		req.Header.Set("X-Amz-Target", q.target)
	}
	sum := sha256.Sum256(q.body)
	creds := aws.Credentials{AccessKeyID: q.keyID, SecretAccessKey: q.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), q.service, q.region, q.signedAt); err != nil {
		t.Fatal(err)
	}
	if q.mutate != nil {
		q.mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// Query errors are XML: compare text with entities decoded.
	b = []byte(html.UnescapeString(string(b)))
	if resp.Header.Get("x-amzn-RequestId") == "" || resp.Header.Get("Date") == "" {
		t.Errorf("response lacks x-amzn-RequestId or Date: %v", resp.Header)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// TestBadInputAnsweredWithProtocolErrors: every bad request gets the query
// protocol's AWS error, nothing is stored, and the server keeps serving.
func TestBadInputAnsweredWithProtocolErrors(t *testing.T) {
	r := newRig(t, "")
	create := []byte("Action=CreateUser&Version=2010-05-08&UserName=ghost")
	big := append([]byte("Action=CreateUser&Version=2010-05-08&UserName=ghost&Pad="), bytes.Repeat([]byte("a"), 8<<20)...)
	cases := []struct {
		name   string
		req    rawReq
		status int
		code   string
		msg    string
	}{
		{"wrong secret", rawReq{service: "iam", keyID: mgmtKeyID, secret: "wrong" + mgmtSecret[5:], body: create}, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match"},
		{"unknown key", rawReq{service: "iam", keyID: "AKIAUNKNOWNKEY000000", secret: mgmtSecret, body: create}, 403, "InvalidClientTokenId", "The security token included in the request is invalid"},
		{"16 minutes skew", rawReq{service: "iam", body: create, signedAt: time.Now().Add(-16 * time.Minute)}, 403, "SignatureDoesNotMatch", "Signature expired: "},
		{"missing Authorization", rawReq{service: "iam", body: create, mutate: func(r *http.Request) { r.Header.Del("Authorization") }}, 403, "MissingAuthenticationToken", ""},
		{"garbled Authorization", rawReq{service: "iam", body: create, mutate: func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=garbage") }}, 400, "IncompleteSignature", ""},
		{"wrong region in scope", rawReq{service: "sts", region: "eu-west-9", body: []byte("Action=GetCallerIdentity&Version=2011-06-15")}, 403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'eu-west-9'."},
		{"malformed form", rawReq{service: "iam", body: []byte("Action=CreateUser&Version=2010-05-08&UserName=%zz")}, 400, "", ""},
		{"missing required member", rawReq{service: "iam", body: []byte("Action=CreateUser&Version=2010-05-08")}, 400, "ValidationError", "userName"},
		{"unknown action", rawReq{service: "iam", body: []byte("Action=FlyToTheMoon&Version=2010-05-08")}, 400, "InvalidAction", ""},
		{"8 MiB body", rawReq{service: "iam", body: big}, 413, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := r.send(t, tc.req)
			if status != tc.status && !(tc.status == 413 && status >= 400) {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.code != "" && !strings.Contains(body, "<Code>"+tc.code+"</Code>") {
				t.Fatalf("body lacks code %s: %s", tc.code, body)
			}
			if tc.msg != "" && !strings.Contains(body, tc.msg) {
				t.Fatalf("body lacks %q: %s", tc.msg, body)
			}
			if !strings.Contains(body, "<ErrorResponse") {
				t.Fatalf("not a query error body: %.300s", body)
			}
		})
	}
	// Nothing was stored and the server still serves.
	users := must[*iam.ListUsersOutput](t)(r.rootIAM().ListUsers(context.Background(), &iam.ListUsersInput{}))
	if len(users.Users) != 0 {
		t.Fatalf("bad requests stored users: %+v", users.Users)
	}
}

func TestRestartKeepsCredentialsAndNoPlaintextSecrets(t *testing.T) {
	dir := t.TempDir()
	r := newRig(t, dir)
	keyID, secret := newUserWithKey(t, r, "dave")
	ctx := context.Background()
	if _, err := r.sts(keyID, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	postgres := r.app.DB.Engine() == store.Postgres
	r.stop()

	// The database files hold no secret access key in plaintext.
	files, _ := filepath.Glob(filepath.Join(dir, "openpca.db*"))
	if len(files) == 0 && !postgres {
		t.Fatal("no database files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{secret, mgmtSecret} {
			if bytes.Contains(b, []byte(s)) {
				t.Fatalf("%s contains a secret access key in plaintext", filepath.Base(f))
			}
		}
	}

	r2 := newRig(t, dir)
	who := must[*sts.GetCallerIdentityOutput](t)(r2.sts(keyID, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *who.Arn != "arn:aws:iam::"+mgmtAccount+":user/dave" {
		t.Fatalf("after restart %s", *who.Arn)
	}
	if _, err := r2.rootSTS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("root after restart: %v", err)
	}
}

func TestHealthz(t *testing.T) {
	r := newRig(t, "")
	resp, err := http.Get(r.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
}
