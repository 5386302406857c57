package integration

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/openpca/openpca/internal/clock"
	"github.com/openpca/openpca/internal/server"
	"github.com/openpca/openpca/internal/store/storetest"
)

// sharedPair starts two servers on one PostgreSQL database (skipped
// without PostgreSQL), as two `openpca serve` processes behind a balancer.
func sharedPair(t *testing.T) (*rig, *rig) {
	t.Helper()
	rigs, _ := sharedRigs(t, 2)
	return rigs[0], rigs[1]
}

// sharedRigs starts k servers on one fresh PostgreSQL database and returns
// them with the database's URL.
func sharedRigs(t *testing.T, k int) ([]*rig, string) {
	t.Helper()
	url := storetest.PostgresURL(t)
	var rigs []*rig
	for range k {
		dataDir := t.TempDir()
		clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
		app := openShared(t, dataDir, url, clk)
		srv := httptest.NewServer(app.Handler)
		rigs = append(rigs, startRig(t, dataDir, app, srv, clk))
	}
	return rigs, url
}

// sharedKey is the master key of every server on a shared database.
var sharedKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

// openShared opens a server on the shared database url with the injected
// clock clk (one server of sharedPair, or the helper process of
// shared_db_sigkill_test.go).
func openShared(t *testing.T, dataDir, url string, clk clock.Clock) *server.App {
	t.Helper()
	app, err := server.Open(context.Background(), server.Config{DataDir: dataDir, Database: url, MasterKey: sharedKey,
		Region: "us-east-1", Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// One idempotency token sent to both servers at once makes one CA and one
// certificate: the token check runs inside the serialized write
// transaction, not only under the process-local lock.
func TestSharedDatabaseIdempotencyAcrossServers(t *testing.T) {
	a, b := sharedPair(t)
	root := creds{key: mgmtKeyID, secret: mgmtSecret}
	clients := []*acmpca.Client{a.pca(root), b.pca(root)}
	ctx := context.Background()
	// Rounds of concurrent creates, each round with its own token; the
	// race is between one server's check and the other's insert.
	const rounds, n = 12, 4
	var wg sync.WaitGroup
	for round := range rounds {
		arns := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := clients[i%2].CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
					CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot, IdempotencyToken: aws.String(fmt.Sprintf("token-%d", round)),
					CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
						SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("Shared")}},
				})
				if err != nil {
					t.Error(err)
					return
				}
				arns[i] = *out.CertificateAuthorityArn
			}()
		}
		wg.Wait()
		for _, arn := range arns {
			if arn != arns[0] {
				t.Fatalf("one token, several CAs: %v", arns)
			}
		}
	}
	list := must[*acmpca.ListCertificateAuthoritiesOutput](t)(clients[1].ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{}))
	if len(list.CertificateAuthorities) != rounds {
		t.Fatalf("%d CAs listed, want %d", len(list.CertificateAuthorities), rounds)
	}

	ca := activeCA(t, clients[0])
	csr := leafCSR(t)
	certs := make([]string, 8)
	for i := range certs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := clients[i%2].IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca, Csr: csr,
				SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, IdempotencyToken: aws.String("cert-token"),
				Validity: &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(10)}})
			if err != nil {
				t.Error(err)
				return
			}
			certs[i] = *out.CertificateArn
		}()
	}
	wg.Wait()
	for _, c := range certs {
		if c != certs[0] {
			t.Fatalf("one token, several certificates: %v", certs)
		}
	}

	// A NextToken from one server works on the other.
	page := must[*acmpca.ListCertificateAuthoritiesOutput](t)(clients[0].ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{MaxResults: aws.Int32(1)}))
	if page.NextToken == nil {
		t.Fatal("no NextToken with several CAs and MaxResults 1")
	}
	rest := must[*acmpca.ListCertificateAuthoritiesOutput](t)(clients[1].ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{NextToken: page.NextToken}))
	if len(rest.CertificateAuthorities) != rounds || *rest.CertificateAuthorities[0].Arn == *page.CertificateAuthorities[0].Arn {
		t.Fatalf("second page via the other server: %+v", rest.CertificateAuthorities)
	}
}

// Attaching managed policies through both servers at once never exceeds
// the per-user quota: the count and the insert run in one serialized write
// transaction on PostgreSQL as on SQLite.
func TestSharedDatabaseAttachLimitAcrossServers(t *testing.T) {
	a, b := sharedPair(t)
	ctx := context.Background()
	clients := []*iam.Client{a.rootIAM(), b.rootIAM()}
	must[*iam.CreateUserOutput](t)(clients[0].CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	const n = 16
	arns := make([]string, n)
	for i := range n {
		out := must[*iam.CreatePolicyOutput](t)(clients[i%2].CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
		arns[i] = *out.Policy.Arn
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := clients[i%2].AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: &arns[i]})
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "LimitExceeded" {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	list := must[*iam.ListAttachedUserPoliciesOutput](t)(clients[1].ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u")}))
	if len(list.AttachedPolicies) != ok || ok != 10 {
		t.Fatalf("%d attach calls succeeded, %d attached; want 10 (the quota)", ok, len(list.AttachedPolicies))
	}
}

// A CA disabled through one server stops issuing on the other at once: the
// change is notified, not left to the cached row's TTL (which the fake
// clocks never reach).
func TestSharedDatabaseCacheInvalidation(t *testing.T) {
	a, b := sharedPair(t)
	root := creds{key: mgmtKeyID, secret: mgmtSecret}
	pa, pb := a.pca(root), b.pca(root)
	ctx := context.Background()
	ca := activeCA(t, pa)
	csr := leafCSR(t)
	issue := func() error {
		_, err := pb.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &ca, Csr: csr,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
			Validity:         &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(10)}})
		return err
	}
	if err := issue(); err != nil { // b now holds the ACTIVE row
		t.Fatal(err)
	}
	must[*acmpca.UpdateCertificateAuthorityOutput](t)(pa.UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{
		CertificateAuthorityArn: &ca, Status: pcatypes.CertificateAuthorityStatusDisabled}))
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := issue()
		if err != nil {
			apiError(t, err, "InvalidStateException")
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("server b still issues from a CA disabled through server a")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
