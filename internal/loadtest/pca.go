package loadtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	"github.com/openpca/openpca/internal/pki"
	"github.com/openpca/openpca/internal/regions"
)

// signingAlgorithmFor pairs a CA key algorithm with its usual signature.
func signingAlgorithmFor(keyAlg string) (pki.SigningAlgorithm, error) {
	switch keyAlg {
	case "EC_prime256v1":
		return pki.SHA256WithECDSA, nil
	case "RSA_2048":
		return pki.SHA256WithRSA, nil
	}
	return "", fmt.Errorf("key algorithm %q: use EC_prime256v1 or RSA_2048", keyAlg)
}

// leafCSR is the CSR every IssueCertificate request sends (a P-256 key, so
// the CA's signature dominates the cost).
func leafCSR() ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "load.openpca.test"},
		DNSNames: []string{"load.openpca.test"},
	}, key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// setupCA creates an ACTIVE root CA on the server through the acm-pca API.
func setupCA(ctx context.Context, cfg Config) (string, error) {
	client := acmpca.NewFromConfig(sdkConfig(cfg, cfg.Credentials))
	sig, err := signingAlgorithmFor(cfg.KeyAlgorithm)
	if err != nil {
		return "", err
	}
	created, err := client.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{
			KeyAlgorithm:     pcatypes.KeyAlgorithm(cfg.KeyAlgorithm),
			SigningAlgorithm: pcatypes.SigningAlgorithm(sig),
			Subject:          &pcatypes.ASN1Subject{CommonName: aws.String("OpenPCA load test root " + cfg.KeyAlgorithm)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("create CA: %w", err)
	}
	arn := created.CertificateAuthorityArn
	if err := acmpca.NewCertificateAuthorityCSRCreatedWaiter(client).Wait(ctx, &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn}, time.Minute); err != nil {
		return "", err
	}
	csr, err := client.GetCertificateAuthorityCsr(ctx, &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: arn})
	if err != nil {
		return "", err
	}
	issued, err := client.IssueCertificate(ctx, &acmpca.IssueCertificateInput{
		CertificateAuthorityArn: arn,
		Csr:                     []byte(*csr.Csr),
		SigningAlgorithm:        pcatypes.SigningAlgorithm(sig),
		// Templates are named in the CA's partition, the region's.
		TemplateArn: aws.String("arn:" + regions.PartitionOf(cfg.Region) + ":acm-pca:::template/RootCACertificate/V1"),
		Validity:    &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeYears, Value: aws.Int64(10)},
	})
	if err != nil {
		return "", fmt.Errorf("self-sign CA: %w", err)
	}
	cert, err := client.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: arn, CertificateArn: issued.CertificateArn})
	if err != nil {
		return "", err
	}
	if _, err := client.ImportCertificateAuthorityCertificate(ctx, &acmpca.ImportCertificateAuthorityCertificateInput{
		CertificateAuthorityArn: arn, Certificate: []byte(*cert.Certificate),
	}); err != nil {
		return "", fmt.Errorf("import CA certificate: %w", err)
	}
	return *arn, nil
}

// caOperations need a CA, which the tool creates first.
var caOperations = []string{"IssueCertificate", "GetCertificate", "DescribeCertificateAuthority", "RequestCertificate",
	"DescribeCertificate", "ListCertificates", "GetPolicy", "GetResourceShares"}

// pcaOperation builds the request shape of an operation of caOperations
// against a fresh CA, and the sampler of the raw cost that goes with it.
func pcaOperation(ctx context.Context, cfg Config) (Operation, rawSampler, string, error) {
	caARN, err := setupCA(ctx, cfg)
	if err != nil {
		return Operation{}, nil, "", err
	}
	issue, err := issueBody(caARN, cfg.KeyAlgorithm)
	if err != nil {
		return Operation{}, nil, "", err
	}
	csr, _ := base64.StdEncoding.DecodeString(issue["Csr"].(string))
	op := Operation{Service: "acm-pca", ContentType: "application/x-amz-json-1.1"}
	switch cfg.Operation {
	case "IssueCertificate":
		body, _ := json.Marshal(issue)
		op.Target, op.Body = "ACMPrivateCA.IssueCertificate", string(body)
		raw, err := rawIssueSampler(cfg.KeyAlgorithm, csr)
		return op, raw, "raw pipeline (parse+verify CSR, build, sign, encode)", err
	case "GetCertificate":
		certARN, err := issueOne(ctx, cfg, cfg.Credentials, issue)
		if err != nil {
			return Operation{}, nil, "", err
		}
		body, _ := json.Marshal(map[string]string{"CertificateAuthorityArn": caARN, "CertificateArn": certARN})
		op.Target, op.Body = "ACMPrivateCA.GetCertificate", string(body)
		return op, nil, "", nil
	case "DescribeCertificateAuthority":
		body, _ := json.Marshal(map[string]string{"CertificateAuthorityArn": caARN})
		op.Target, op.Body = "ACMPrivateCA.DescribeCertificateAuthority", string(body)
		return op, nil, "", nil
	case "RequestCertificate":
		op = requestCertificateOp(caARN, cfg.KeyAlgorithm, nil)
		raw, err := rawRequestSampler(cfg.KeyAlgorithm)
		return op, raw, "raw pipeline (key generation, CSR, sign, encode)", err
	case "DescribeCertificate":
		arn, err := requestIssued(ctx, setupSender(cfg), caARN, cfg.KeyAlgorithm, nil)
		if err != nil {
			return Operation{}, nil, "", fmt.Errorf("setup: ACM RequestCertificate: %w", err)
		}
		return acmOp("DescribeCertificate", map[string]string{"CertificateArn": arn}, nil), nil, "", nil
	case "ListCertificates":
		send := setupSender(cfg)
		for range listSetupCerts {
			if _, err := requestIssued(ctx, send, caARN, cfg.KeyAlgorithm, nil); err != nil {
				return Operation{}, nil, "", fmt.Errorf("setup: ACM RequestCertificate: %w", err)
			}
		}
		return listCertificatesOp(cfg.KeyAlgorithm, nil), nil, "", nil
	case "GetPolicy":
		if err := putAccountPolicy(ctx, cfg, caARN); err != nil {
			return Operation{}, nil, "", err
		}
		return getPolicyOp(caARN, nil), nil, "", nil
	case "GetResourceShares":
		if err := createShares(ctx, cfg, "openpca-loadtest", caARN, make([]string, sharesSetup)); err != nil {
			return Operation{}, nil, "", err
		}
		return getResourceSharesOp(nil), nil, "", nil
	}
	return Operation{}, nil, "", fmt.Errorf("not an acm-pca operation: %s", cfg.Operation)
}

// issueOne issues a certificate as creds and waits until GetCertificate
// has it (AWS issues asynchronously).
// issueBody is the IssueCertificate request the tool sends: a fresh P-256
// CSR, the CA's signing algorithm, 30 days.
func issueBody(caARN, keyAlg string) (map[string]any, error) {
	csr, err := leafCSR()
	if err != nil {
		return nil, err
	}
	sig, err := signingAlgorithmFor(keyAlg)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"CertificateAuthorityArn": caARN,
		"Csr":                     base64.StdEncoding.EncodeToString(csr),
		"SigningAlgorithm":        string(sig),
		"Validity":                map[string]any{"Type": "DAYS", "Value": 30},
	}, nil
}

func issueOne(ctx context.Context, cfg Config, creds aws.Credentials, issue map[string]any) (string, error) {
	client := acmpca.NewFromConfig(sdkConfig(cfg, creds))
	csr, _ := base64.StdEncoding.DecodeString(issue["Csr"].(string))
	ca := aws.String(issue["CertificateAuthorityArn"].(string))
	out, err := client.IssueCertificate(ctx, &acmpca.IssueCertificateInput{
		CertificateAuthorityArn: ca,
		Csr:                     csr,
		SigningAlgorithm:        pcatypes.SigningAlgorithm(issue["SigningAlgorithm"].(string)),
		Validity:                &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(30)},
	})
	if err != nil {
		return "", err
	}
	if err := acmpca.NewCertificateIssuedWaiter(client, func(o *acmpca.CertificateIssuedWaiterOptions) { o.MinDelay = 50 * time.Millisecond }).Wait(ctx,
		&acmpca.GetCertificateInput{CertificateAuthorityArn: ca, CertificateArn: out.CertificateArn}, time.Minute); err != nil {
		return "", err
	}
	return *out.CertificateArn, nil
}

// rawIssueSampler measures the CPU time of the pure issuance pipeline on
// one thread (what it takes on a dedicated core): the same CSR, a CA key
// of the same algorithm, the default template. Each call of the sampler
// is one measurement.
func rawIssueSampler(keyAlg string, csr []byte) (rawSampler, error) {
	sig, err := signingAlgorithmFor(keyAlg)
	if err != nil {
		return nil, err
	}
	key, err := pki.GenerateKey(pki.KeyAlgorithm(keyAlg))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	caCSR, err := pki.CreateCACSR(key, pki.ASN1Subject{CommonName: "raw"}, nil, sig)
	if err != nil {
		return nil, err
	}
	rootDER, err := pki.Issue(&pki.IssueRequest{
		CSR: caCSR, IssuerSigner: key, SigningAlgorithm: sig,
		TemplateARN: "arn:aws:acm-pca:::template/RootCACertificate/V1",
		Validity:    pki.Validity{Type: "YEARS", Value: 10}, Now: now,
	})
	if err != nil {
		return nil, err
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		return nil, err
	}
	n := 300
	if keyAlg == "RSA_2048" {
		n = 100
	}
	return func() (time.Duration, error) {
		cpu, err := threadCPU(func() error {
			for i := 0; i < n; i++ {
				der, err := pki.Issue(&pki.IssueRequest{
					CSR: csr, Issuer: root, IssuerSigner: key, SigningAlgorithm: sig,
					Validity: pki.Validity{Type: "DAYS", Value: 30}, Now: now,
				})
				if err != nil {
					return err
				}
				_ = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
			}
			return nil
		})
		return cpu / time.Duration(n), err
	}, nil
}
