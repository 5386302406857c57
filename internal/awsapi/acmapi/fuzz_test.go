package acmapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openpca/openpca/internal/server"
)

const (
	fuzzKey    = "AKIAOPENPCAFUZZROOT1"
	fuzzSecret = "fuzzSecretAccessKey000000000000000000000"
)

// fuzzServer is a whole server whose root user sends raw ACM requests.
type fuzzServer struct {
	app *server.App
	srv *httptest.Server
}

func newFuzzServer(f *testing.F) *fuzzServer {
	app, err := server.Open(context.Background(), server.Config{DataDir: f.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	if _, err := app.Bootstrap(context.Background(), server.BootstrapSpec{AccountID: "111122223333",
		AccessKeyID: fuzzKey, SecretAccessKey: fuzzSecret}, srv.URL); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close(); app.Close() })
	return &fuzzServer{app: app, srv: srv}
}

func (s *fuzzServer) call(t *testing.T, op string, body []byte) (int, []byte) {
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "CertificateManager."+op)
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: fuzzKey, SecretAccessKey: fuzzSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "acm", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// count is how many certificates the account has, of every key type.
func (s *fuzzServer) count(t *testing.T) int {
	_, body := s.call(t, "ListCertificates", []byte(`{"Includes":{"keyTypes":["RSA_1024","RSA_2048","RSA_3072","RSA_4096","EC_prime256v1","EC_secp384r1","EC_secp521r1"]}}`))
	var out struct{ CertificateSummaryList []json.RawMessage }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("list: %v: %s", err, body)
	}
	return len(out.CertificateSummaryList)
}

// FuzzRequestCertificate sends arbitrary bodies to RequestCertificate and
// ExportCertificate through the wire decoder and the service: every answer
// is a 200 or a modeled 4xx with a JSON error body, never a server fault,
// and a refused request stores nothing.
func FuzzRequestCertificate(f *testing.F) {
	const ca = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
	for _, seed := range []string{
		`{"DomainName":"app.example.com","CertificateAuthorityArn":"` + ca + `"}`,
		`{"DomainName":"app.example.com","CertificateAuthorityArn":"` + ca + `","KeyAlgorithm":"EC_prime256v1","SubjectAlternativeNames":["a.example.com"],"IdempotencyToken":"t1"}`,
		`{"DomainName":"*.example.com","CertificateAuthorityArn":"` + ca + `","KeyAlgorithm":"RSA_3072"}`,
		`{"DomainName":"-x-..com","CertificateAuthorityArn":"arn:aws:acm-pca:us-east-1:1:nope"}`,
		`{"DomainName":"a.example.com","CertificateAuthorityArn":"` + ca + `","Tags":[{"Key":"aws:x","Value":"y"}]}`,
		`{"DomainName":"a.example.com","Options":{"CertificateTransparencyLoggingPreference":"MAYBE"}}`,
		`{"CertificateArn":"arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555","Passphrase":"cGFzcyQk"}`,
		`{"DomainName":1}`, `[]`, `{`, ``,
	} {
		f.Add(seed)
	}
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, op := range []string{"RequestCertificate", "ExportCertificate"} {
			before := s.count(t)
			status, out := s.call(t, op, []byte(body))
			if status != 200 && status != 400 {
				t.Fatalf("%s(%q): status %d: %s", op, body, status, out)
			}
			if status == 400 {
				var e struct {
					Type string `json:"__type"`
				}
				if err := json.Unmarshal(out, &e); err != nil || e.Type == "" {
					t.Fatalf("%s(%q): error body %s", op, body, out)
				}
				if after := s.count(t); after != before {
					t.Fatalf("%s(%q) was refused but stored a certificate", op, body)
				}
			}
		}
	})
}
