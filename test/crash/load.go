package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
)

// certRec is an IssueCertificate the server acknowledged (200).
type certRec struct {
	arn, serial string
	pem         string // first GetCertificate answer ("" until fetched)
	cycle       int
}

// revRec is a RevokeCertificate the server acknowledged.
type revRec struct {
	arn, serial string
	at          time.Time // when the 200 arrived
	inCRL       bool
}

// acmRec is a RequestCertificate the server acknowledged.
type acmRec struct {
	arn string
	pem string // certificate once ISSUED was observed
}

// state is everything acknowledged so far; the driver outlives the server.
type state struct {
	base, dir string
	dbURL     string // PostgreSQL store ("" = SQLite in dir)
	ca, caID  string
	issuer    *x509.Certificate
	ram       *ramState // nil until setupRAM

	mu   sync.Mutex
	pca  *acmpca.Client
	acm  *acm.Client
	ramc *ram.Client
	// The checks' reads retry: a read is idempotent, and the SDK's retry
	// covers a known client-side race that closes a connection while a
	// 200 answer is read (aws-sdk-go-v2#2737: "use of closed network
	// connection"), which must not count as a loss. Writes never retry.
	rd struct {
		pca *acmpca.Client
		acm *acm.Client
		ram *ram.Client
	}
	certs    map[string]*certRec
	order    []string // certificate ARNs in acknowledgement order
	revoked  map[string]*revRec
	revoking map[string]bool
	acmCerts map[string]*acmRec
	acmOrder []string
	cycle    int
}

// awsConfig is a client configuration for the server with fresh
// connections (no keep-alive connection to a dead server).
func (s *state) awsConfig(key, sec, token string) aws.Config {
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(key, sec, token),
		BaseEndpoint:     aws.String(s.base),
		HTTPClient:       hc,
		RetryMaxAttempts: 1, // an answer is acknowledged or not; no hidden retries
	}
}

// connect makes fresh clients for the owner account.
func (s *state) connect() {
	cfg := s.awsConfig(keyID, secret, "")
	rcfg := s.awsConfig(keyID, secret, "")
	rcfg.RetryMaxAttempts = 3
	s.mu.Lock()
	s.pca, s.acm, s.ramc = acmpca.NewFromConfig(cfg), acm.NewFromConfig(cfg), ram.NewFromConfig(cfg)
	s.rd.pca, s.rd.acm, s.rd.ram = acmpca.NewFromConfig(rcfg), acm.NewFromConfig(rcfg), ram.NewFromConfig(rcfg)
	s.mu.Unlock()
}

func newState(ctx context.Context, base, dir, dbURL string) (*state, error) {
	s := &state{base: base, dir: dir, dbURL: dbURL, certs: map[string]*certRec{}, revoked: map[string]*revRec{},
		revoking: map[string]bool{}, acmCerts: map[string]*acmRec{}}
	s.connect()
	out, err := s.pca.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("Crash Test Root")}},
		RevocationConfiguration: &pcatypes.RevocationConfiguration{
			CrlConfiguration:  &pcatypes.CrlConfiguration{Enabled: aws.Bool(true), ExpirationInDays: aws.Int32(7)},
			OcspConfiguration: &pcatypes.OcspConfiguration{Enabled: aws.Bool(true)},
		},
	})
	if err != nil {
		return nil, err
	}
	s.ca = *out.CertificateAuthorityArn
	s.caID = s.ca[strings.LastIndex(s.ca, "/")+1:]
	var csr *acmpca.GetCertificateAuthorityCsrOutput
	for i := 0; ; i++ { // key generation may run off the request path
		csr, err = s.pca.GetCertificateAuthorityCsr(ctx, &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: &s.ca})
		if err == nil || i == 300 || !strings.Contains(err.Error(), "RequestInProgress") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	iss, err := s.pca.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &s.ca,
		Csr: []byte(*csr.Csr), SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		TemplateArn: aws.String("arn:aws:acm-pca:::template/RootCACertificate/V1"),
		Validity:    &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeYears, Value: aws.Int64(5)}})
	if err != nil {
		return nil, err
	}
	var got *acmpca.GetCertificateOutput
	for i := 0; ; i++ {
		got, err = s.pca.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &s.ca, CertificateArn: iss.CertificateArn})
		if err == nil || i == 300 || !strings.Contains(err.Error(), "RequestInProgress") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.pca.ImportCertificateAuthorityCertificate(ctx, &acmpca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: &s.ca, Certificate: []byte(*got.Certificate)}); err != nil {
		return nil, err
	}
	b, _ := pem.Decode([]byte(*got.Certificate))
	if b == nil {
		return nil, errors.New("CA certificate is not PEM")
	}
	if s.issuer, err = x509.ParseCertificate(b.Bytes); err != nil {
		return nil, err
	}
	return s, nil
}

// drive runs n clients until ctx ends; the channel closes when all stopped.
func (s *state) drive(ctx context.Context, n int, seed uint64) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.client(ctx, mrand.New(mrand.NewPCG(seed, uint64(i))))
		}()
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

func (s *state) client(ctx context.Context, rng *mrand.Rand) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "crash.example.com"}, DNSNames: []string{"crash.example.com"}}, key)
	csr := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	for ctx.Err() == nil {
		s.mu.Lock()
		pc, ac, cycle := s.pca, s.acm, s.cycle
		s.mu.Unlock()
		switch p := rng.IntN(100); {
		case p < 10 && len(extraOps) > 0: // RAM: see ram.go
			extraOps[rng.IntN(len(extraOps))](ctx, s, rng)
		case p < 60:
			s.issue(ctx, pc, csr, cycle)
		case p < 85:
			s.revoke(ctx, pc, rng)
		default:
			s.request(ctx, ac, rng)
		}
	}
}

func (s *state) issue(ctx context.Context, pc *acmpca.Client, csr []byte, cycle int) {
	out, err := pc.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: &s.ca, Csr: csr,
		SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa,
		Validity:         &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(30)}})
	if err != nil {
		return // not acknowledged: the server may or may not have it
	}
	arn := *out.CertificateArn
	rec := &certRec{arn: arn, serial: arn[strings.LastIndex(arn, "/")+1:], cycle: cycle}
	s.mu.Lock()
	if _, dup := s.certs[arn]; dup {
		s.mu.Unlock()
		s.duplicateARN(arn)
		return
	}
	s.certs[arn] = rec
	s.order = append(s.order, arn)
	s.mu.Unlock()
	got, err := pc.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &s.ca, CertificateArn: &arn})
	if err == nil {
		s.mu.Lock()
		if rec.pem == "" {
			rec.pem = *got.Certificate
		}
		s.mu.Unlock()
	}
}

// dupARNs counts IssueCertificate answers that repeated an earlier ARN
// (no idempotency token is sent, so each must be new).
var dupARNs struct {
	sync.Mutex
	list []string
}

func (s *state) duplicateARN(arn string) {
	dupARNs.Lock()
	dupARNs.list = append(dupARNs.list, arn)
	dupARNs.Unlock()
}

func (s *state) revoke(ctx context.Context, pc *acmpca.Client, rng *mrand.Rand) {
	s.mu.Lock()
	if len(s.order) == 0 {
		s.mu.Unlock()
		return
	}
	var rec *certRec
	for range 8 {
		c := s.certs[s.order[rng.IntN(len(s.order))]]
		if s.revoked[c.arn] == nil && !s.revoking[c.arn] {
			rec = c
			break
		}
	}
	if rec == nil {
		s.mu.Unlock()
		return
	}
	s.revoking[rec.arn] = true
	s.mu.Unlock()
	_, err := pc.RevokeCertificate(ctx, &acmpca.RevokeCertificateInput{CertificateAuthorityArn: &s.ca,
		CertificateSerial: aws.String(rec.serial), RevocationReason: pcatypes.RevocationReasonKeyCompromise})
	at := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	// A failed revocation stays "in flight" forever: the server may have
	// committed it, so it is neither picked again nor counted.
	if err == nil {
		delete(s.revoking, rec.arn)
		s.revoked[rec.arn] = &revRec{arn: rec.arn, serial: rec.serial, at: at}
	}
}

func (s *state) request(ctx context.Context, ac *acm.Client, rng *mrand.Rand) {
	name := fmt.Sprintf("m%08x.crash.example.com", rng.Uint32())
	out, err := ac.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: &name,
		CertificateAuthorityArn: &s.ca, KeyAlgorithm: acmtypes.KeyAlgorithmEcPrime256v1})
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.acmCerts[*out.CertificateArn]; dup {
		s.duplicateARN(*out.CertificateArn)
		return
	}
	s.acmCerts[*out.CertificateArn] = &acmRec{arn: *out.CertificateArn}
	s.acmOrder = append(s.acmOrder, *out.CertificateArn)
}
