package pcaapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/smithy-go"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/keystore"
	"github.com/openpca/openpca/internal/pca"
	"github.com/openpca/openpca/internal/store/storetest"
)

func wantCode(t *testing.T, err error, code string) string {
	t.Helper()
	var ae smithy.APIError
	if err == nil || !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	return ae.ErrorMessage()
}

func TestPolicyOperationsOnTheWire(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name, func(t *testing.T) {
			c := newClient(t, w)
			ca, csr := createCA(t, c, types.CertificateAuthorityTypeRoot, types.KeyAlgorithmEcPrime256v1, types.SigningAlgorithmSha256withecdsa, "policy root")
			cert := issueAndGet(t, c, ca, csr, types.SigningAlgorithmSha256withecdsa, "RootCACertificate", years(5))
			importCert(t, c, ca, []byte(aws.ToString(cert.Certificate)), nil)

			_, err := c.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca})
			wantCode(t, err, "ResourceNotFoundException")
			if _, err := c.DeletePolicy(ctx, &acmpca.DeletePolicyInput{ResourceArn: &ca}); err != nil {
				t.Fatalf("DeletePolicy without a policy: %v", err)
			}
			doc := `{"Version":"2012-10-17","Statement":[{"Sid":"1","Effect":"Allow","Principal":{"AWS":"222233334444"},` +
				`"Action":"acm-pca:IssueCertificate","Resource":"` + ca + `"}]}`
			if _, err := c.PutPolicy(ctx, &acmpca.PutPolicyInput{ResourceArn: &ca, Policy: &doc}); err != nil {
				t.Fatal(err)
			}
			got, err := c.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca})
			if err != nil || aws.ToString(got.Policy) != doc {
				t.Fatalf("GetPolicy = %v, %v", got, err)
			}
			bad := strings.Replace(doc, "IssueCertificate", "DeleteCertificateAuthority", 1)
			msg := wantCode(t, mustErr(c.PutPolicy(ctx, &acmpca.PutPolicyInput{ResourceArn: &ca, Policy: &bad})), "InvalidPolicyException")
			if !strings.Contains(msg, `Statement[0] (Sid "1")`) {
				t.Fatalf("message %q does not name the statement", msg)
			}
			lock := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"acm-pca:PutPolicy","Resource":"*"}]}`
			wantCode(t, mustErr(c.PutPolicy(ctx, &acmpca.PutPolicyInput{ResourceArn: &ca, Policy: &lock})), "LockoutPreventedException")
			huge := doc + strings.Repeat(" ", 81920)
			wantCode(t, mustErr(c.PutPolicy(ctx, &acmpca.PutPolicyInput{ResourceArn: &ca, Policy: &huge})), "ValidationException")
			if _, err := c.DeletePolicy(ctx, &acmpca.DeletePolicyInput{ResourceArn: &ca}); err != nil {
				t.Fatal(err)
			}
			_, err = c.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca})
			wantCode(t, err, "ResourceNotFoundException")
		})
	}
}

func mustErr[T any](_ T, err error) error { return err }

// The who-can operation is plain awsJson1_1 (no SDK knows it).
func TestListPrincipalsWithAccessOnTheWire(t *testing.T) {
	db, err := storetest.OpenDir(ctx, t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keystore.NewMasterKey([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Real{}
	svc := pca.New(db, keystore.NewSoftware(mk, 0), authz.New(noIdentities{}, nil, clk), clk, pca.Config{})
	rootARN := "arn:aws:iam::" + acct + ":root"
	rootP := authz.Principal{Type: authz.TypeAccount, AccountID: acct, ARN: rootARN, PrincipalARN: rootARN, UserID: acct}
	svc.SetDirectory(dirOf{rootP})
	creds := memCreds{rootKey: {SecretAccessKey: rootSec, Principal: rootP}}
	srv := httptest.NewServer(awsapi.New(awsapi.Config{Region: "us-east-1", Clock: clk}, creds, Service(svc)))
	t.Cleanup(func() { srv.Close(); svc.Close(); db.Close() })

	out, err := svc.CreateCertificateAuthority(ctx, &authz.Caller{Principal: rootP}, &pca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: "ROOT",
		CertificateAuthorityConfiguration: &pca.CertificateAuthorityConfiguration{KeyAlgorithm: "EC_prime256v1",
			SigningAlgorithm: "SHA256WITHECDSA", Subject: &pca.ASN1Subject{CommonName: "who"}}})
	if err != nil {
		t.Fatal(err)
	}
	call := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "ACMPrivateCA.OpenPCAListPrincipalsWithAccess")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSec}, req,
			hex.EncodeToString(sum[:]), "acm-pca", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%d %s", resp.StatusCode, raw)
		}
		return resp.StatusCode, m
	}
	status, m := call(`{"CertificateAuthorityArn":"` + out.CertificateAuthorityArn + `"}`)
	if status != 200 || m["Action"] != "acm-pca:IssueCertificate" {
		t.Fatalf("%d %v", status, m)
	}
	ps, _ := m["Principals"].([]any)
	if len(ps) != 1 {
		t.Fatalf("principals %v", m["Principals"])
	}
	p := ps[0].(map[string]any)
	if p["PrincipalArn"] != rootARN || p["Reason"] != "AllowedAsRoot" || p["AccountId"] != acct || p["PrincipalType"] != "Account" {
		t.Fatalf("principal %v", p)
	}
	status, m = call(`{"CertificateAuthorityArn":"` + out.CertificateAuthorityArn + `","Action":"s3:GetObject"}`)
	if status != 400 || m["__type"] != "InvalidArgsException" {
		t.Fatalf("%d %v", status, m)
	}
	status, m = call(`{}`)
	if status != 400 || !bytes.Contains([]byte(m["__type"].(string)), []byte("ValidationException")) {
		t.Fatalf("%d %v", status, m)
	}
}

type dirOf []authz.Principal

func (d dirOf) ListPrincipals(context.Context) ([]authz.Principal, error) {
	return d, nil
}
