package awsapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openpca/openpca/internal/clock"
)

// stalledConn sends a request's headers (signed over body) and only the
// first sent bytes of its body, then leaves the body unfinished.
func stalledConn(t *testing.T, srv *httptest.Server, key, secret, region string, at time.Time, body []byte, sent int) net.Conn {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "ACMPrivateCA.DescribeCertificateAuthority")
	if key != "" {
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "acm-pca", region, at); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var b strings.Builder
	fmt.Fprintf(&b, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.Host, len(body))
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(body[:sent])
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	return conn
}

// answer reads the response on conn; the deadline only keeps a broken
// server from hanging the test.
func answer(t *testing.T, conn net.Conn) (*http.Response, string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer while the body is outstanding: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestRefusedBeforeBody: what the headers can refuse is refused while the
// body has not arrived (issue #16 item 4); none of it takes budget.
func TestRefusedBeforeBody(t *testing.T) {
	h := newHarness(t, 0)
	body := bytes.Repeat([]byte("x"), 4096)
	now := h.clk.Now()
	tests := []struct {
		name, key, secret, region string
		at                        time.Time
		code                      string
	}{
		{"unknown key", "AKIANOBODYNOBODY0001", "whatever", "us-east-1", now, "UnrecognizedClientException"},
		{"no Authorization", "", "", "us-east-1", now, "MissingAuthenticationTokenException"},
		{"stale date", userKey, userSecret, "us-east-1", now.Add(-time.Hour), "InvalidSignatureException"},
		{"unserved region", userKey, userSecret, "xx-nowhere-1", now, "InvalidSignatureException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := stalledConn(t, h.srv, tc.key, tc.secret, tc.region, tc.at, body, 10)
			resp, got := answer(t, conn)
			if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != tc.code {
				t.Fatalf("got %d %s %s, want 400 %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), got, tc.code)
			}
			if !resp.Close {
				t.Error("connection kept open with the body unread")
			}
		})
	}
	if st := h.srv.Config.Handler.(*Server).BodyBudget(); st.Peak != 0 {
		t.Errorf("budget peak %d: a refused request reserved body memory", st.Peak)
	}
}

// TestStalledBodiesBounded: many senders that stall mid-body hold at most
// the budget; the rest are refused at once with 503, and the budget comes
// back when they go away.
func TestStalledBodiesBounded(t *testing.T) {
	const bodySize, budget = 16 << 10, 64 << 10
	clk := clock.NewFake(time.Now().Truncate(time.Second))
	s := New(Config{Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		MaxBodyBytes: 32 << 10, MaxPendingBodyBytes: budget},
		memCreds{userKey: {SecretAccessKey: userSecret}}, newPCAService())
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close) // after the connections' cleanups

	body := bytes.Repeat([]byte("y"), bodySize)
	const held = budget / bodySize
	var conns []net.Conn
	for range held {
		conns = append(conns, stalledConn(t, srv, userKey, userSecret, "us-east-1", clk.Now(), body, 100))
	}
	waitFor(t, func() bool { return s.BodyBudget().InUse == budget })
	for i := range 40 - held {
		conn := stalledConn(t, srv, userKey, userSecret, "us-east-1", clk.Now(), body, 100)
		resp, got := answer(t, conn)
		if resp.StatusCode != 503 || resp.Header.Get("X-Amzn-ErrorType") != "ServiceUnavailableException" {
			t.Fatalf("stalled sender %d: %d %s, want 503 ServiceUnavailableException", held+i, resp.StatusCode, got)
		}
	}
	st := s.BodyBudget()
	if st.Peak > budget || st.Refused != 40-held {
		t.Fatalf("budget %+v: want peak <= %d and %d refused", st, budget, 40-held)
	}
	for _, c := range conns {
		c.Close()
	}
	waitFor(t, func() bool { return s.BodyBudget().InUse == 0 })

	// A complete request still goes through once budget is free.
	conn := stalledConn(t, srv, userKey, userSecret, "us-east-1", clk.Now(), []byte(`{"CertificateAuthorityArn":"`+caARN+`"}`), len(`{"CertificateAuthorityArn":"`+caARN+`"}`))
	if resp, got := answer(t, conn); resp.StatusCode != 200 {
		t.Fatalf("after the stall: %d %s", resp.StatusCode, got)
	}
}

func TestBodyOverLimit(t *testing.T) {
	h := newHarness(t, 1024)
	conn := stalledConn(t, h.srv, userKey, userSecret, "us-east-1", h.clk.Now(), bytes.Repeat([]byte("z"), 2048), 0)
	resp, got := answer(t, conn)
	if resp.StatusCode != 413 || resp.Header.Get("X-Amzn-ErrorType") != "RequestEntityTooLargeException" ||
		!strings.Contains(got, "Request body exceeds the maximum size of 1024 bytes.") {
		t.Fatalf("got %d %s", resp.StatusCode, got)
	}
}

// waitFor polls cond; the limit only guards against a hang.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached")
}
