package pcaapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/acmpca/schemas"
	"github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/store/storetest"
)

const (
	acct    = "111122223333"
	rootKey = "AKIAROOTROOTROOT0001"
	rootSec = "root-secret-0123456789abcdefghijklmnopqrs"
)

type memCreds map[string]*awsapi.Credential

func (m memCreds) LookupCredential(_ context.Context, akid string) (*awsapi.Credential, error) {
	return m[akid], nil
}

type noIdentities struct{}

func (noIdentities) IdentityPolicies(context.Context, *authz.Principal) ([]authz.Policy, error) {
	return nil, nil
}

// wire is one protocol the acm-pca client can speak.
type wire struct {
	name  string
	setUp func(*acmpca.Options) // nil keeps the client's default
	// is recognises the wire's requests on the server side.
	is func(*http.Request) bool
}

var wires = []wire{
	// Since v1.57.0 the client's default.
	{"rpcv2Cbor", nil, func(r *http.Request) bool {
		return r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor" && strings.HasPrefix(r.URL.Path, "/service/ACMPrivateCA/operation/")
	}},
	{"awsJson1_1", func(o *acmpca.Options) { o.Protocol = awsjson.New11(schemas.ACMPrivateCA) }, func(r *http.Request) bool {
		return strings.HasPrefix(r.Header.Get("X-Amz-Target"), "ACMPrivateCA.") && r.Header.Get("Smithy-Protocol") == ""
	}},
}

// newClient serves a fresh pca service over httptest and returns an SDK
// client on wire w signed as the account's root user. The server checks
// that every request really came over w.
func newClient(t *testing.T, w wire) *acmpca.Client {
	t.Helper()
	db, err := storetest.OpenDir(context.Background(), t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keystore.NewMasterKey([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Real{}
	svc := pca.New(db, keystore.NewSoftware(mk, 0), authz.New(noIdentities{}, nil, clk), clk, pca.Config{Region: "us-east-1", Partition: "aws"})
	arn := "arn:aws:iam::" + acct + ":root"
	creds := memCreds{rootKey: {SecretAccessKey: rootSec, Principal: authz.Principal{Type: authz.TypeAccount, AccountID: acct, ARN: arn, PrincipalARN: arn, UserID: acct}}}
	api := awsapi.New(awsapi.Config{Region: "us-east-1", Clock: clk}, creds, Service(svc))
	var requests, strays atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if !w.is(r) {
			strays.Add(1)
		}
		api.ServeHTTP(rw, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
		db.Close()
		if requests.Load() == 0 || strays.Load() != 0 {
			t.Errorf("%s: %d requests, %d not on that wire", w.name, requests.Load(), strays.Load())
		}
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(rootKey, rootSec, ""),
		HTTPClient: srv.Client(), Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	return acmpca.NewFromConfig(cfg, func(o *acmpca.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		if w.setUp != nil {
			w.setUp(o)
		}
	})
}

var ctx = context.Background()

func createCA(t *testing.T, c *acmpca.Client, typ types.CertificateAuthorityType, alg types.KeyAlgorithm, sig types.SigningAlgorithm, cn string) (string, []byte) {
	t.Helper()
	out, err := c.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: typ,
		CertificateAuthorityConfiguration: &types.CertificateAuthorityConfiguration{KeyAlgorithm: alg, SigningAlgorithm: sig,
			Subject: &types.ASN1Subject{CommonName: aws.String(cn), Organization: aws.String("Example")}},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("pki")}},
	})
	if err != nil {
		t.Fatalf("create %s: %v", cn, err)
	}
	arn := aws.ToString(out.CertificateAuthorityArn)
	in := &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: &arn}
	// The waiter as clients use it, polling faster than its 3 s default.
	fast := func(o *acmpca.CertificateAuthorityCSRCreatedWaiterOptions) { o.MinDelay = 5 * time.Millisecond }
	if err := acmpca.NewCertificateAuthorityCSRCreatedWaiter(c, fast).Wait(ctx, in, 30*time.Second); err != nil {
		t.Fatalf("csr waiter: %v", err)
	}
	csr, err := c.GetCertificateAuthorityCsr(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return arn, []byte(aws.ToString(csr.Csr))
}

// issueAndGet issues and fetches a certificate, waiting with the SDK waiter.
func issueAndGet(t *testing.T, c *acmpca.Client, ca string, csr []byte, sig types.SigningAlgorithm, template string, v types.Validity) *acmpca.GetCertificateOutput {
	t.Helper()
	in := &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca, Csr: csr, SigningAlgorithm: sig, Validity: &v}
	if template != "" {
		in.TemplateArn = aws.String("arn:aws:acm-pca:::template/" + template + "/V1")
	}
	out, err := c.IssueCertificate(ctx, in)
	if err != nil {
		t.Fatalf("issue from %s: %v", ca, err)
	}
	get := &acmpca.GetCertificateInput{CertificateAuthorityArn: &ca, CertificateArn: out.CertificateArn}
	if err := acmpca.NewCertificateIssuedWaiter(c).Wait(ctx, get, 30*time.Second); err != nil {
		t.Fatalf("issued waiter: %v", err)
	}
	got, err := c.GetCertificate(ctx, get)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func importCert(t *testing.T, c *acmpca.Client, ca string, cert, chain []byte) {
	t.Helper()
	if _, err := c.ImportCertificateAuthorityCertificate(ctx, &acmpca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: &ca, Certificate: cert, CertificateChain: chain}); err != nil {
		t.Fatalf("import into %s: %v", ca, err)
	}
	d, err := c.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: &ca})
	if err != nil {
		t.Fatal(err)
	}
	if d.CertificateAuthority.Status != types.CertificateAuthorityStatusActive {
		t.Fatalf("status after import %s", d.CertificateAuthority.Status)
	}
	// Timestamps survive the wire (epoch numbers in JSON, tag 1 in CBOR).
	got := d.CertificateAuthority
	if got.CreatedAt == nil || time.Since(*got.CreatedAt).Abs() > 5*time.Minute ||
		got.NotBefore == nil || got.NotAfter == nil || !got.NotAfter.After(*got.NotBefore) {
		t.Fatalf("timestamps created %v, not before %v, not after %v", got.CreatedAt, got.NotBefore, got.NotAfter)
	}
}

func years(n int64) types.Validity {
	return types.Validity{Type: types.ValidityPeriodTypeYears, Value: aws.Int64(n)}
}

func openssl(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("/usr/bin/openssl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLifecycleWithSDK(t *testing.T) {
	if _, err := os.Stat("/usr/bin/openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	for _, k := range []struct {
		w   wire
		alg types.KeyAlgorithm
		sig types.SigningAlgorithm
	}{
		{wires[0], types.KeyAlgorithmRsa2048, types.SigningAlgorithmSha256withrsa},
		{wires[0], types.KeyAlgorithmEcPrime256v1, types.SigningAlgorithmSha256withecdsa},
		{wires[1], types.KeyAlgorithmRsa2048, types.SigningAlgorithmSha256withrsa},
		{wires[1], types.KeyAlgorithmEcPrime256v1, types.SigningAlgorithmSha256withecdsa},
	} {
		t.Run(k.w.name+"/"+string(k.alg), func(t *testing.T) {
			c := newClient(t, k.w)
			dir := t.TempDir()
			root, rootCSR := createCA(t, c, types.CertificateAuthorityTypeRoot, k.alg, k.sig, "Root")
			rc := issueAndGet(t, c, root, rootCSR, k.sig, "RootCACertificate", years(10))
			importCert(t, c, root, []byte(aws.ToString(rc.Certificate)), nil)
			caCert, err := c.GetCertificateAuthorityCertificate(ctx, &acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &root})
			if err != nil || caCert.CertificateChain != nil {
				t.Fatalf("root CA certificate: chain %v, err %v", caCert.CertificateChain, err)
			}

			sub, subCSR := createCA(t, c, types.CertificateAuthorityTypeSubordinate, k.alg, k.sig, "Sub")
			sc := issueAndGet(t, c, root, subCSR, k.sig, "SubordinateCACertificate_PathLen0", years(5))
			importCert(t, c, sub, []byte(aws.ToString(sc.Certificate)), []byte(aws.ToString(sc.CertificateChain)))

			openssl(t, dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key",
				"-subj", "/CN=leaf.example.com", "-addext", "subjectAltName=DNS:leaf.example.com", "-out", "leaf.csr")
			leafCSR, err := os.ReadFile(filepath.Join(dir, "leaf.csr"))
			if err != nil {
				t.Fatal(err)
			}
			leaf := issueAndGet(t, c, sub, leafCSR, k.sig, "", types.Validity{Type: types.ValidityPeriodTypeDays, Value: aws.Int64(30)})
			write(t, dir, "root.pem", aws.ToString(rc.Certificate))
			write(t, dir, "sub.pem", aws.ToString(sc.Certificate))
			write(t, dir, "leaf.pem", aws.ToString(leaf.Certificate))
			write(t, dir, "chain.pem", aws.ToString(leaf.CertificateChain))
			if out := openssl(t, dir, "verify", "-CAfile", "root.pem", "-untrusted", "sub.pem", "leaf.pem"); !strings.Contains(out, "leaf.pem: OK") {
				t.Fatalf("openssl verify: %s", out)
			}
			if !strings.HasPrefix(aws.ToString(leaf.CertificateChain), aws.ToString(sc.Certificate)) ||
				!strings.HasSuffix(aws.ToString(leaf.CertificateChain), aws.ToString(rc.Certificate)) {
				t.Fatal("leaf chain is not sub then root")
			}

			tags, err := c.ListTags(ctx, &acmpca.ListTagsInput{CertificateAuthorityArn: &sub})
			if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "pki" {
				t.Fatalf("tags %+v %v", tags, err)
			}
			list, err := c.ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{})
			if err != nil || len(list.CertificateAuthorities) != 2 {
				t.Fatalf("list %+v %v", list, err)
			}
		})
	}
}

func TestExternalRootWithSDK(t *testing.T) {
	if _, err := os.Stat("/usr/bin/openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	c := newClient(t, wires[0])
	dir := t.TempDir()
	openssl(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "ext.key",
		"-subj", "/O=External/CN=External Root", "-days", "3650", "-out", "ext.pem",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	sub, csr := createCA(t, c, types.CertificateAuthorityTypeSubordinate, types.KeyAlgorithmEcPrime256v1, types.SigningAlgorithmSha256withecdsa, "Sub of external")
	write(t, dir, "sub.csr", string(csr))
	write(t, dir, "ext.cnf", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,digitalSignature,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
	openssl(t, dir, "x509", "-req", "-in", "sub.csr", "-CA", "ext.pem", "-CAkey", "ext.key", "-CAcreateserial",
		"-days", "1000", "-sha384", "-extfile", "ext.cnf", "-out", "sub.pem")
	subPEM, _ := os.ReadFile(filepath.Join(dir, "sub.pem"))
	extPEM, _ := os.ReadFile(filepath.Join(dir, "ext.pem"))

	// A wrong chain is refused with the modeled error, then the right one installs.
	_, err := c.ImportCertificateAuthorityCertificate(ctx, &acmpca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: &sub, Certificate: subPEM, CertificateChain: subPEM})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "CertificateMismatchException" {
		t.Fatalf("wrong chain: %v", err)
	}
	importCert(t, c, sub, subPEM, extPEM)

	openssl(t, dir, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-subj", "/CN=ext-leaf.example.com", "-out", "leaf.csr")
	leafCSR, _ := os.ReadFile(filepath.Join(dir, "leaf.csr"))
	leaf := issueAndGet(t, c, sub, leafCSR, types.SigningAlgorithmSha256withecdsa, "EndEntityServerAuthCertificate", types.Validity{Type: types.ValidityPeriodTypeDays, Value: aws.Int64(7)})
	write(t, dir, "leaf.pem", aws.ToString(leaf.Certificate))
	if out := openssl(t, dir, "verify", "-CAfile", "ext.pem", "-untrusted", "sub.pem", "leaf.pem"); !strings.Contains(out, "leaf.pem: OK") {
		t.Fatalf("openssl verify: %s", out)
	}
}

func TestErrorsOnTheWire(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name, func(t *testing.T) { testErrorsOnTheWire(t, w) })
	}
}

func testErrorsOnTheWire(t *testing.T, w wire) {
	c := newClient(t, w)
	root, _ := createCA(t, c, types.CertificateAuthorityTypeRoot, types.KeyAlgorithmEcPrime256v1, types.SigningAlgorithmSha256withecdsa, "Root")
	v := types.Validity{Type: types.ValidityPeriodTypeDays, Value: aws.Int64(1)}
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"issue from PENDING", func() error {
			_, err := c.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &root, Csr: []byte("x"), SigningAlgorithm: types.SigningAlgorithmSha256withecdsa, Validity: &v})
			return err
		}, "InvalidStateException"},
		{"garbage CSR on root template", func() error {
			_, err := c.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &root, Csr: []byte("x"), SigningAlgorithm: types.SigningAlgorithmSha256withecdsa,
				Validity: &v, TemplateArn: aws.String("arn:aws:acm-pca:::template/RootCACertificate/V1")})
			return err
		}, "MalformedCSRException"},
		{"unknown CA", func() error {
			_, err := c.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: aws.String(root[:len(root)-4] + "0000")})
			return err
		}, "ResourceNotFoundException"},
		// CAs are regional: another region's ARN names no CA here.
		{"other region", func() error {
			_, err := c.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: aws.String(strings.Replace(root, "us-east-1", "eu-west-1", 1))})
			return err
		}, "ResourceNotFoundException"},
		{"partition not the region's", func() error {
			_, err := c.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: aws.String(strings.Replace(root, "us-east-1", "us-gov-west-1", 1))})
			return err
		}, "InvalidArnException"},
		{"CA certificate before install", func() error {
			_, err := c.GetCertificateAuthorityCertificate(ctx, &acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &root})
			return err
		}, "InvalidStateException"},
		{"bad next token", func() error {
			_, err := c.ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{NextToken: aws.String("bogus")})
			return err
		}, "InvalidNextTokenException"},
		{"aws: tag", func() error {
			_, err := c.TagCertificateAuthority(ctx, &acmpca.TagCertificateAuthorityInput{CertificateAuthorityArn: &root, Tags: []types.Tag{{Key: aws.String("aws:x")}}})
			return err
		}, "InvalidTagException"},
		{"enum violation", func() error {
			_, err := c.UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: &root, Status: "SLEEPING"})
			return err
		}, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var apiErr smithy.APIError
			if err := tc.call(); !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if apiErr.ErrorMessage() == "" || apiErr.ErrorMessage() == tc.code {
				t.Errorf("message %q lost on the wire", apiErr.ErrorMessage())
			}
		})
	}
}
