package loadtest

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openpca/openpca/internal/pki"
)

// requestCertificateOp is ACM RequestCertificate from caARN followed by
// DescribeCertificate until the certificate is ISSUED: the unit of work
// (and latency) is a certificate ready for use. creds nil signs with the
// run's credentials.
func requestCertificateOp(caARN, keyAlg string, creds *aws.Credentials) Operation {
	op := Operation{Service: "acm", Creds: creds}
	op.run = func(ctx context.Context, send func(Operation) ([]byte, error)) error {
		_, err := requestIssued(ctx, send, caARN, keyAlg, creds)
		return err
	}
	return op
}

// acmOp is an ACM request (awsJson1_1).
func acmOp(action string, body any, creds *aws.Credentials) Operation {
	b, _ := json.Marshal(body)
	return Operation{Service: "acm", ContentType: "application/x-amz-json-1.1",
		Target: "CertificateManager." + action, Body: string(b), Creds: creds}
}

// requestIssued requests a private certificate from caARN and polls
// DescribeCertificate until it is ISSUED; it returns the certificate ARN.
func requestIssued(ctx context.Context, send func(Operation) ([]byte, error), caARN, keyAlg string, creds *aws.Credentials) (string, error) {
	out, err := send(acmOp("RequestCertificate", map[string]string{
		"DomainName": "load.openpca.test", "CertificateAuthorityArn": caARN, "KeyAlgorithm": keyAlg}, creds))
	if err != nil {
		return "", err
	}
	var req struct{ CertificateArn string }
	if err := json.Unmarshal(out, &req); err != nil || req.CertificateArn == "" {
		return "", fmt.Errorf("RequestCertificate answered %.200s", out)
	}
	poll := acmOp("DescribeCertificate", map[string]string{"CertificateArn": req.CertificateArn}, creds)
	wait := 2 * time.Millisecond
	for {
		out, err := send(poll)
		if err != nil {
			return "", err
		}
		var d struct {
			Certificate struct{ Status, FailureReason string }
		}
		if err := json.Unmarshal(out, &d); err != nil {
			return "", err
		}
		switch d.Certificate.Status {
		case "ISSUED":
			return req.CertificateArn, nil
		case "PENDING_VALIDATION":
		default:
			return "", fmt.Errorf("certificate %s: %s %s", req.CertificateArn, d.Certificate.Status, d.Certificate.FailureReason)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

// rawRequestSampler measures the CPU time a managed certificate needs on
// one core: a new key of keyAlg, its CSR, and the CA's signature with a CA
// key of the same algorithm. The keys are measured once (RSA key
// generation is slow and varies by key, so it is averaged over 20 keys);
// each call of the sampler measures the issuance again.
func rawRequestSampler(keyAlg string) (rawSampler, error) {
	n := 200
	if keyAlg == "RSA_2048" {
		n = 20
	}
	var csrs [][]byte
	cpu, err := threadCPU(func() error {
		for range n {
			key, err := pki.GenerateKey(pki.KeyAlgorithm(keyAlg))
			if err != nil {
				return err
			}
			csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
				Subject: pkix.Name{CommonName: "load.openpca.test"}, DNSNames: []string{"load.openpca.test"}}, key)
			if err != nil {
				return err
			}
			csrs = append(csrs, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	keys := cpu / time.Duration(n)
	issue, err := rawIssueSampler(keyAlg, csrs[0])
	if err != nil {
		return nil, err
	}
	return func() (time.Duration, error) {
		d, err := issue()
		return keys + d, err
	}, nil
}

// listCertificatesOp lists the caller's certificates of keyAlg: without a
// keyTypes filter ACM lists only RSA_1024 and RSA_2048 certificates.
func listCertificatesOp(keyAlg string, creds *aws.Credentials) Operation {
	return acmOp("ListCertificates", map[string]any{"Includes": map[string]any{"keyTypes": []string{keyAlg}}}, creds)
}
