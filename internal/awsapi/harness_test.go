package awsapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
)

// Test identities. Secrets and tokens are distinctive so that the log test
// can prove they never appear.
const (
	userKey       = "AKIAUSERUSERUSER0001"
	userSecret    = "sEcReT-user-0123456789abcdefghijklmnop"
	sessionKey    = "ASIASESSIONSESSION01"
	sessionSecret = "sEcReT-session-0123456789abcdefghijkl"
	sessionToken  = "ToKeN-session-xyz-0123456789"
	expiredKey    = "ASIAEXPIREDEXPIRED01"
	expiredSecret = "sEcReT-expired-0123456789abcdefghijkl"
	expiredToken  = "ToKeN-expired-xyz-0123456789"
	failingKey    = "AKIAFAILINGFAILING01"
	userARN       = "arn:aws:iam::111122223333:user/alice"
)

// memCreds is the in-memory CredentialStore.
type memCreds map[string]*Credential

func (m memCreds) LookupCredential(_ context.Context, akid string) (*Credential, error) {
	if akid == failingKey {
		return nil, errors.New("store unavailable")
	}
	return m[akid], nil
}

// syncBuffer collects log output written from server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	t    *testing.T
	srv  *httptest.Server
	clk  *clock.Fake
	logs *syncBuffer
}

// newHarness serves the three test services; the fake clock starts at the
// wall clock because the SDK signs with time.Now.
func newHarness(t *testing.T, maxBody int64) *harness {
	t.Helper()
	return newHarnessConfig(t, Config{MaxBodyBytes: maxBody})
}

// newHarnessConfig is newHarness with the edge's Config (its Clock and
// Logger are the harness's); extra services are served after the three.
func newHarnessConfig(t *testing.T, cfg Config, extra ...*Service) *harness {
	t.Helper()
	clk := clock.NewFake(time.Now().Truncate(time.Second))
	alice := authz.Principal{Type: authz.TypeUser, AccountID: "111122223333", ARN: userARN, PrincipalARN: userARN,
		UserID: "AIDAALICE", EntityID: "AIDAALICE", UserName: "alice"}
	role := authz.Principal{Type: authz.TypeAssumedRole, AccountID: "111122223333",
		ARN: "arn:aws:sts::111122223333:assumed-role/r/s", PrincipalARN: "arn:aws:iam::111122223333:role/r"}
	creds := memCreds{
		userKey:    {SecretAccessKey: userSecret, Principal: alice},
		sessionKey: {SecretAccessKey: sessionSecret, SessionToken: sessionToken, Expiration: clk.Now().Add(time.Hour), Principal: role},
		expiredKey: {SecretAccessKey: expiredSecret, SessionToken: expiredToken, Expiration: clk.Now().Add(-time.Minute), Principal: role},
	}
	logs := &syncBuffer{}
	cfg.Clock, cfg.Logger = clk, slog.New(slog.NewJSONHandler(logs, nil))
	s := New(cfg, creds, append([]*Service{newIAMService(), newPCAService(), newRAMService()}, extra...)...)
	h := &harness{t: t, srv: httptest.NewServer(s), clk: clk, logs: logs}
	t.Cleanup(h.srv.Close)
	return h
}

// rawRequest describes a hand-built request, signed with the SDK's signer
// unless noSign.
type rawRequest struct {
	method, path, query string
	body                []byte
	header              map[string]string
	key, secret, token  string
	region, service     string
	at                  time.Time // signing time; zero = harness clock
	noSign              bool
	chunked             bool // hide the length so the body is sent chunked
}

func (h *harness) do(rr rawRequest) (*http.Response, []byte) {
	h.t.Helper()
	if rr.method == "" {
		rr.method = http.MethodPost
	}
	if rr.path == "" {
		rr.path = "/"
	}
	if rr.key == "" {
		rr.key = userKey
	}
	if rr.secret == "" {
		rr.secret = userSecret
	}
	if rr.region == "" {
		rr.region = "us-east-1"
	}
	if rr.at.IsZero() {
		rr.at = h.clk.Now()
	}
	u := h.srv.URL + rr.path
	if rr.query != "" {
		u += "?" + rr.query
	}
	var body io.Reader = bytes.NewReader(rr.body)
	if rr.chunked {
		body = io.MultiReader(bytes.NewReader(rr.body))
	}
	req, err := http.NewRequest(rr.method, u, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range rr.header {
		req.Header.Set(k, v)
	}
	if !rr.noSign {
		sum := sha256.Sum256(rr.body)
		creds := aws.Credentials{AccessKeyID: rr.key, SecretAccessKey: rr.secret, SessionToken: rr.token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), rr.service, rr.region, rr.at); err != nil {
			h.t.Fatal(err)
		}
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", rr.method, rr.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp, b
}

// checkCommonHeaders asserts the headers every response carries.
func (h *harness) checkCommonHeaders(resp *http.Response) string {
	h.t.Helper()
	id := resp.Header.Get("X-Amzn-RequestId")
	if len(id) != 36 || id[14] != '4' {
		h.t.Errorf("x-amzn-RequestId = %q, want a UUID v4", id)
	}
	if got, want := resp.Header.Get("Date"), h.clk.Now().UTC().Format(http.TimeFormat); got != want {
		h.t.Errorf("Date = %q, want %q", got, want)
	}
	return id
}

func jsonRequest(target, body string) rawRequest {
	return rawRequest{service: "acm-pca", body: []byte(body),
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}}
}

func restRequest(method, path, query, body string) rawRequest {
	return rawRequest{service: "ram", method: method, path: path, query: query, body: []byte(body),
		header: map[string]string{"Content-Type": "application/json"}}
}

func queryRequest(form string) rawRequest {
	return rawRequest{service: "iam", body: []byte(form),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}}
}
