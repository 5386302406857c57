package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store"
	"github.com/openpca/openpca/internal/store/storetest"
	"github.com/openpca/openpca/internal/tlsca"
)

func totpCode(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func callerARN(t *testing.T, r *rig, c creds) string {
	t.Helper()
	out, err := r.sts(c.key, c.secret, c.token).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity as %s: %v", c.key, err)
	}
	return aws.ToString(out.Arn)
}

// TestRotateMasterKeyKeepsEverySecret: data of every sealed kind made
// through the SDK (access keys, an assumed-role session, a session token,
// an MFA device, a service-specific credential, a CA with an issued
// certificate, an ACM certificate, the internal TLS CA) survives a
// rotation: with the new key every credential signs, the CA issues, ACM
// exports the same key and TLS serves from the same CA; the old key no
// longer starts the server (issue #16, master-key rotation).
func TestRotateMasterKeyKeepsEverySecret(t *testing.T) {
	if storetest.UsePostgres() {
		t.Skip("rotate-master-key opens the embedded SQLite store only (docs/security.md)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	r := newRig(t, dir)
	root := creds{key: mgmtKeyID, secret: mgmtSecret}
	rootIAM := r.rootIAM()

	alice := userIn(t, rootIAM, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	role := must[*iam.CreateRoleOutput](t)(rootIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deployer"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmtAccount + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	session := assume(t, r, alice, aws.ToString(role.Role.Arn))
	st := must[*sts.GetSessionTokenOutput](t)(r.sts(alice.key, alice.secret, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	tokenCreds := creds{key: *st.Credentials.AccessKeyId, secret: *st.Credentials.SecretAccessKey, token: *st.Credentials.SessionToken}

	mfa := must[*iam.CreateVirtualMFADeviceOutput](t)(rootIAM.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")}))
	serial, seed := aws.ToString(mfa.VirtualMFADevice.SerialNumber), string(mfa.VirtualMFADevice.Base32StringSeed)
	now := r.clock.Now()
	must[*iam.EnableMFADeviceOutput](t)(rootIAM.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: &serial,
		AuthenticationCode1: aws.String(totpCode(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totpCode(t, seed, now))}))
	must[*iam.CreateServiceSpecificCredentialOutput](t)(rootIAM.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{
		UserName: aws.String("alice"), ServiceName: aws.String("codecommit.amazonaws.com")}))

	ca := activeCA(t, r.pca(root))
	if _, err := issue(r.pca(root), ca, "", leafCSR(t)); err != nil {
		t.Fatal(err)
	}
	acmRoot := r.acm(root)
	certARN := request(t, acmRoot, ca)
	if _, err := r.app.ACM.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	before := export(t, acmRoot, certARN)
	checkExport(t, before)

	tctx, cancelTLS := context.WithCancel(ctx)
	if err := r.app.EnableTLS(tctx, server.TLSOptions{Names: server.ListenNames("127.0.0.1")}); err != nil {
		t.Fatal(err)
	}
	cancelTLS()
	bundle, err := os.ReadFile(filepath.Join(dir, tlsca.BundleFile))
	if err != nil {
		t.Fatal(err)
	}

	// Stop, rotate, start with the new key.
	r.stop()
	oldKey := readKey(t, filepath.Join(dir, keystore.MasterKeyFile))
	_, newB64, err := keystore.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	res, err := server.RotateMasterKey(ctx, server.RotateOptions{DataDir: dir, NewKey: newB64})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"iam_access_keys": 2, "iam_sessions": 2, "iam_mfa_devices": 1, "iam_service_credentials": 1,
		"pca_cas": 1, "acm_certificates": 1, "settings": 1}
	for table, n := range want {
		if res.Resealed[table] != n {
			t.Errorf("re-sealed %d in %s, want %d (all: %v)", res.Resealed[table], table, n, res.Resealed)
		}
	}
	newKey := readKey(t, filepath.Join(dir, keystore.MasterKeyFile))
	checkSealedIAM(t, dir, oldKey, newKey)

	_, err = server.Open(ctx, server.Config{DataDir: dir, MasterKey: oldKey.b64, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if !errors.Is(err, server.ErrWrongMasterKey) {
		t.Fatalf("start with the old key: %v", err)
	}

	r2 := newRig(t, dir)
	r2.clock.Advance(2 * time.Minute) // a TOTP step the device has not used yet
	for c, want := range map[creds]string{
		root:       "arn:aws:iam::" + mgmtAccount + ":root",
		alice:      "arn:aws:iam::" + mgmtAccount + ":user/alice",
		session:    "arn:aws:sts::" + mgmtAccount + ":assumed-role/deployer/s1",
		tokenCreds: "arn:aws:iam::" + mgmtAccount + ":user/alice",
	} {
		if got := callerARN(t, r2, c); got != want {
			t.Errorf("caller %s = %s, want %s", c.key, got, want)
		}
	}
	// The MFA seed still opens: a fresh code of the device is accepted.
	if _, err := r2.sts(alice.key, alice.secret, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: &serial,
		TokenCode: aws.String(totpCode(t, seed, r2.clock.Now()))}); err != nil {
		t.Fatalf("MFA after rotation: %v", err)
	}
	if _, err := issue(r2.pca(root), ca, "", leafCSR(t)); err != nil {
		t.Fatalf("CA issuance after rotation: %v", err)
	}
	after := export(t, r2.acm(root), certARN)
	checkExport(t, after)
	if *after.Certificate != *before.Certificate {
		t.Fatal("ACM certificate changed")
	}

	// TLS from the same internal CA, over the new key.
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := r2.app.EnableTLS(sctx, server.TLSOptions{Names: server.ListenNames("127.0.0.1")}); err != nil {
		t.Fatalf("TLS after rotation: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, tlsca.BundleFile)); !bytes.Equal(got, bundle) {
		t.Fatal("the internal TLS CA was replaced")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r2.app.Serve(sctx, ln, time.Second) }()
	defer func() { stop(); <-done }()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(bundle)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("https://" + ln.Addr().String()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(mgmtKeyID, mgmtSecret, ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("TLS call after rotation: %v", err)
	}
}

type rawKey struct {
	k   *keystore.MasterKey
	b64 string
}

func readKey(t *testing.T, path string) rawKey {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keystore.ParseMasterKey(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return rawKey{k: k, b64: strings.TrimSpace(string(b))}
}

// checkSealedIAM reads every IAM sealed value straight from the database
// (the service-specific password has no read path on the wire): each opens
// with the new key and none with the old.
func checkSealedIAM(t *testing.T, dir string, oldKey, newKey rawKey) {
	t.Helper()
	db, err := store.OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`SELECT id, sealed_secret FROM iam_access_keys`,
		`SELECT id, sealed FROM iam_sessions`,
		`SELECT serial, sealed_seed FROM iam_mfa_devices`,
		`SELECT id, sealed_password FROM iam_service_credentials`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id string
			var sealed []byte
			if err := rows.Scan(&id, &sealed); err != nil {
				t.Fatal(err)
			}
			if _, err := newKey.k.Open(sealed, []byte(id)); err != nil {
				t.Errorf("%s: %s does not open with the new key", q, id)
			}
			if _, err := oldKey.k.Open(sealed, []byte(id)); err == nil {
				t.Errorf("%s: %s still opens with the old key", q, id)
			}
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s: no rows", q)
		}
	}
}
