package awsapi

import (
	"encoding/xml"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/clock"
)

func TestRateLimiterBuckets(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	steps := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true}, {"a", 0, true}, {"a", 0, true}, // burst 3
		{"a", 0, false},
		{"b", 0, true}, // own bucket
		{"a", 400 * time.Millisecond, false},
		{"a", 500 * time.Millisecond, true}, // 2/s: one token per 500 ms
		{"a", 500 * time.Millisecond, false},
		{"a", time.Hour, true}, {"a", time.Hour, true}, {"a", time.Hour, true}, // refilled to the burst, not beyond
		{"a", time.Hour, false},
	}
	l := newRateLimiter(2, 3)
	for i, s := range steps {
		if got := l.allow(s.key, t0.Add(s.at)); got != s.want {
			t.Fatalf("step %d (%s at %v): allow = %v, want %v", i, s.key, s.at, got, s.want)
		}
	}
	if newRateLimiter(0, 10).allow("a", t0) != true {
		t.Fatal("a zero rate must disable the limit")
	}
}

// TestThrottlingCodes: each protocol's throttling answer (reference §1.2,
// §1.3; IAM/STS common errors).
func TestThrottlingCodes(t *testing.T) {
	clk := clock.NewFake(time.Now().Truncate(time.Second))
	alice := authz.Principal{Type: authz.TypeUser, AccountID: "111122223333", ARN: userARN}
	s := New(Config{Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RateLimit: 1, RateBurst: 1},
		memCreds{userKey: {SecretAccessKey: userSecret, Principal: alice}}, newIAMService(), newPCAService(), newRAMService())
	h := &harness{t: t, srv: httptest.NewServer(s), clk: clk, logs: &syncBuffer{}}
	defer h.srv.Close()
	want := []struct {
		code   string
		status int
	}{{"ThrottlingException", 400}, {"ThrottlingException", 429}, {"Throttling", 400}}
	for i, p := range protocols {
		clk.Advance(time.Second) // one fresh token
		h.do(p.req())
		resp, body := h.do(p.req())
		if resp.StatusCode != want[i].status {
			t.Fatalf("%s: status %d %s", p.name, resp.StatusCode, body)
		}
		code := resp.Header.Get("X-Amzn-ErrorType")
		if p.name == "awsQuery" {
			code = queryCode(t, body)
		}
		if code != want[i].code {
			t.Fatalf("%s: code %q, want %q: %s", p.name, code, want[i].code, body)
		}
	}
}

func queryCode(t *testing.T, body []byte) string {
	t.Helper()
	var e queryError
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("query error body: %v: %s", err, body)
	}
	return e.Error.Code
}
