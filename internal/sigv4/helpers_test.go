package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/aws-http-auth/credentials"
	smithysigv4 "github.com/aws/smithy-go/aws-http-auth/sigv4"
	smithyv4 "github.com/aws/smithy-go/aws-http-auth/v4"

	"github.com/openpca/openpca/internal/clock"
)

const (
	testAKID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testToken  = "FwoGZXIvYXdzEXAMPLE//////////wEaDtokenvalue+/="
)

// testNow is the verifier's clock in most tests.
var testNow = time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)

type signerFunc func(r *http.Request, body []byte, akid, secret, token, region, service string, at time.Time) error

// signSDK signs with the AWS SDK for Go v2 signer.
func signSDK(r *http.Request, body []byte, akid, secret, token, region, service string, at time.Time) error {
	sum := sha256.Sum256(body)
	return sdkv4.NewSigner().SignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: token},
		r, hex.EncodeToString(sum[:]), service, region, at)
}

// signAllHeaders makes the smithy signer sign every header it sees, not only
// host and x-amz-*.
type signAllHeaders struct{}

func (signAllHeaders) IsSigned(h string) bool { return h != "authorization" && h != "user-agent" }

// signSmithy signs with smithy-go's aws-http-auth signer.
func signSmithy(r *http.Request, body []byte, akid, secret, token, region, service string, at time.Time) error {
	sum := sha256.Sum256(body)
	return smithysigv4.New(func(o *smithyv4.SignerOptions) { o.HeaderRules = signAllHeaders{} }).SignRequest(&smithysigv4.SignRequestInput{
		Request:     r,
		PayloadHash: sum[:],
		Credentials: credentials.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: token},
		Service:     service,
		Region:      region,
		Time:        at,
	})
}

// overTheWire serialises a client request and parses it back as net/http's
// server would, returning the server's view and its body.
func overTheWire(t testing.TB, r *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatalf("write request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("read request back: %v\n%s", err, buf.String())
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return sr, body
}

// secrets returns a lookup knowing only testAKID.
func secrets(secret, token string) func(string) (*Secret, error) {
	return func(id string) (*Secret, error) {
		if id != testAKID {
			return nil, nil
		}
		return &Secret{SecretAccessKey: secret, SessionToken: token}, nil
	}
}

func newVerifier(now time.Time) *Verifier { return &Verifier{Clock: clock.NewFake(now)} }

// verifyWire parses the Authorization header of a server-side request and verifies it.
func verifyWire(v *Verifier, r *http.Request, body []byte, lookup func(string) (*Secret, error)) error {
	auth, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	return v.Verify(r, body, auth, lookup)
}

// kindOf returns the ErrorKind of err, or -1 for nil / a non-*Error.
func kindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return -1
}

// signManual signs r over exactly signedHeaders with this package's own
// primitives; used only to build structurally odd requests the oracles
// refuse to produce.
func signManual(r *http.Request, body []byte, secret, date string, signedHeaders []string) {
	sum := sha256.Sum256(body)
	cr := CanonicalRequest(r, signedHeaders, hex.EncodeToString(sum[:]))
	crSum := sha256.Sum256([]byte(cr))
	scope := date[:8] + "/us-east-1/iam/aws4_request"
	sts := StringToSign(date, scope, hex.EncodeToString(crSum[:]))
	sig := hmacSHA256(SigningKey(secret, date[:8], "us-east-1", "iam"), sts)
	r.Header.Set("Authorization", Algorithm+" Credential="+testAKID+"/"+scope+
		", SignedHeaders="+strings.Join(signedHeaders, ";")+", Signature="+hex.EncodeToString(sig))
}
