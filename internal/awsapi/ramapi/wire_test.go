package ramapi_test

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
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store/storetest"
)

const (
	acct   = "111122223333"
	key    = "AKIAOPENPCATESTROOT1"
	secret = "rootSecretAccessKeyForTests0000000000000"
)

// wire is an in-process server and a raw SigV4 signer for RAM requests.
type wire struct {
	srv *httptest.Server
}

func newWire(t testing.TB) *wire {
	t.Helper()
	app, err := server.Open(context.Background(), server.Config{DataDir: t.TempDir(), Database: storetest.Database(t), Region: "us-east-1",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	if _, err := app.Bootstrap(context.Background(), server.BootstrapSpec{AccountID: acct, AccessKeyID: key, SecretAccessKey: secret}, srv.URL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &wire{srv: srv}
}

// do sends a signed RAM request and returns status, headers and body.
func (w *wire) do(t testing.TB, method, path, query string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	u := w.srv.URL + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil // the fuzzer built a query Go will not send
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "ram", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// checkShape asserts RAM's error shape: x-amzn-ErrorType and __type agree,
// a message is present, and no input makes the server fail (5xx).
func checkShape(t testing.TB, status int, h http.Header, body []byte) {
	t.Helper()
	if status >= 500 {
		t.Fatalf("server fault %d: %s", status, body)
	}
	if status == 200 {
		if !json.Valid(body) {
			t.Fatalf("200 with invalid JSON %q", body)
		}
		return
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Type == "" || e.Type != h.Get("X-Amzn-Errortype") {
		t.Fatalf("error shape %d %v %q", status, h, body)
	}
}

var ops = []struct{ method, path string }{
	{"POST", "/createresourceshare"}, {"POST", "/updateresourceshare"}, {"DELETE", "/deleteresourceshare"},
	{"POST", "/associateresourceshare"}, {"POST", "/disassociateresourceshare"}, {"POST", "/getresourceshares"},
	{"POST", "/getresourceshareassociations"}, {"POST", "/getresourceshareinvitations"},
	{"POST", "/acceptresourceshareinvitation"}, {"POST", "/rejectresourceshareinvitation"},
	{"POST", "/listpendinginvitationresources"}, {"POST", "/listresources"}, {"POST", "/listprincipals"},
	{"POST", "/listresourcetypes"}, {"POST", "/listpermissions"}, {"POST", "/getpermission"},
	{"POST", "/listpermissionversions"}, {"POST", "/listresourcesharepermissions"},
	{"POST", "/associateresourcesharepermission"}, {"POST", "/disassociateresourcesharepermission"},
	{"POST", "/getresourcepolicies"}, {"POST", "/enablesharingwithawsorganization"},
	{"POST", "/promoteresourcesharecreatedfrompolicy"}, {"POST", "/tagresource"}, {"POST", "/untagresource"},
}

func TestWireErrors(t *testing.T) {
	w := newWire(t)
	for _, tc := range []struct {
		name, method, path, query, body string
		status                          int
		code                            string
	}{
		{"unknown share", "POST", "/associateresourceshare", "", `{"resourceShareArn":"arn:aws:ram:us-east-1:111122223333:resource-share/0b1f0000-0000-4000-8000-000000000000","principals":["222233334444"]}`, 400, "UnknownResourceException"},
		{"malformed share ARN", "DELETE", "/deleteresourceshare", "resourceShareArn=nope", "", 400, "MalformedArnException"},
		{"missing required query member", "DELETE", "/deleteresourceshare", "", "", 400, "ValidationException"},
		{"bad enum", "POST", "/getresourceshares", "", `{"resourceOwner":"OTHER_ACCOUNTS"}`, 400, "ValidationException"},
		{"wrong JSON type", "POST", "/createresourceshare", "", `{"name":["x"]}`, 400, "SerializationException"},
		{"maxResults out of range", "POST", "/listresources", "", `{"resourceOwner":"SELF","maxResults":501}`, 400, "ValidationException"},
		{"unknown path", "POST", "/nosuchoperation", "", `{}`, 404, "UnknownOperationException"},
		{"permission not ours", "POST", "/getpermission", "", `{"permissionArn":"arn:aws:ram::aws:permission/Unknown"}`, 400, "UnknownResourceException"},
		{"not in an organization", "POST", "/enablesharingwithawsorganization", "", ``, 400, "OperationNotPermittedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := w.do(t, tc.method, tc.path, tc.query, []byte(tc.body))
			checkShape(t, status, h, body)
			if status != tc.status || h.Get("X-Amzn-Errortype") != tc.code {
				t.Fatalf("got %d %s: %s", status, h.Get("X-Amzn-Errortype"), body)
			}
		})
	}
	t.Run("list types", func(t *testing.T) {
		status, _, body := w.do(t, "POST", "/listresourcetypes", "", nil)
		if status != 200 || !strings.Contains(string(body), `{"resourceType":"acm-pca:CertificateAuthority","serviceName":"acm-pca","resourceRegionScope":"REGIONAL"}`) {
			t.Fatalf("%d %s", status, body)
		}
	})
}

// FuzzRAMInput sends arbitrary bodies and query strings to every RAM
// operation: each answer is 200 or a well-formed client error.
func FuzzRAMInput(f *testing.F) {
	w := newWire(f)
	f.Add(uint8(0), `{"name":"s","principals":["222233334444"],"resourceArns":["arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x"]}`, "")
	f.Add(uint8(2), ``, "resourceShareArn=arn%3Aaws%3Aram%3Aus-east-1%3A111122223333%3Aresource-share%2Fx&clientToken=t")
	f.Add(uint8(5), `{"resourceOwner":"OTHER-ACCOUNTS","tagFilters":[{"tagKey":"k","tagValues":["v"]}],"maxResults":1,"nextToken":"AAAA"}`, "")
	f.Add(uint8(6), `{"associationType":"PRINCIPAL","principal":"arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-abcdefgh"}`, "")
	f.Add(uint8(8), `{"resourceShareInvitationArn":"arn:aws:ram:us-east-1:1:resource-share-invitation/x","clientToken":"\u0000"}`, "")
	f.Add(uint8(18), `{"resourceShareArn":"a","permissionArn":"arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority","replace":true,"permissionVersion":2}`, "")
	f.Add(uint8(20), `{"resourceArns":["arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x"],"principal":"1"}`, "")
	f.Add(uint8(22), `null`, "resourceShareArn=%zz")
	f.Fuzz(func(t *testing.T, op uint8, body, query string) {
		o := ops[int(op)%len(ops)]
		status, h, resp := w.do(t, o.method, o.path, query, []byte(body))
		if status == 0 {
			return
		}
		checkShape(t, status, h, resp)
	})
}
