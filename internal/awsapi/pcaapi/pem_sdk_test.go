package pcaapi

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/acmpca/types"
)

// awsPEM checks a PEM string as AWS answers it: n blocks of typ, one
// newline between them, none after the last END line.
func awsPEM(t *testing.T, what, s, typ string, n int) {
	t.Helper()
	if !strings.HasSuffix(s, "-----END "+typ+"-----") {
		t.Errorf("%s does not end with its END line: %q", what, s[max(0, len(s)-40):])
	}
	rest, blocks := []byte(s), 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != typ {
			t.Errorf("%s: block %s, want %s", what, b.Type, typ)
		}
		blocks++
	}
	if blocks != n || len(rest) != 0 {
		t.Errorf("%s: %d blocks and %d trailing bytes, want %d blocks", what, blocks, len(rest), n)
	}
	if strings.Contains(s, "-----\n\n") {
		t.Errorf("%s: blank line between blocks", what)
	}
}

// TestPEMAndChainsAsAWS: every PEM string without a trailing newline; a
// root's own certificate without a chain; its revocation refused with
// AWS's text.
func TestPEMAndChainsAsAWS(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name, func(t *testing.T) {
			c := newClient(t, w)
			sig := types.SigningAlgorithmSha256withecdsa
			root, rootCSR := createCA(t, c, types.CertificateAuthorityTypeRoot, types.KeyAlgorithmEcPrime256v1, sig, "Root")
			awsPEM(t, "root CSR", string(rootCSR), "CERTIFICATE REQUEST", 1)

			self := issueAndGet(t, c, root, rootCSR, sig, "RootCACertificate", years(10))
			awsPEM(t, "root certificate (pending)", aws.ToString(self.Certificate), "CERTIFICATE", 1)
			if self.CertificateChain != nil {
				t.Errorf("pending root's certificate has a chain: %q", aws.ToString(self.CertificateChain))
			}
			importCert(t, c, root, []byte(aws.ToString(self.Certificate)), nil)

			// Once the root is ACTIVE its own certificate still has no chain,
			// as GetCertificateAuthorityCertificate says.
			arns, err := c.ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{})
			if err != nil {
				t.Fatal(err)
			}
			serial := aws.ToString(arns.CertificateAuthorities[0].Serial)
			block, _ := pem.Decode([]byte(aws.ToString(self.Certificate)))
			parsed, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			selfARN := root + "/certificate/" + hex.EncodeToString(parsed.SerialNumber.Bytes())
			again, err := c.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &root, CertificateArn: &selfARN})
			if err != nil {
				t.Fatal(err)
			}
			if again.CertificateChain != nil {
				t.Errorf("active root's own certificate has a chain: %q", aws.ToString(again.CertificateChain))
			}
			awsPEM(t, "root certificate (active)", aws.ToString(again.Certificate), "CERTIFICATE", 1)
			rc, err := c.GetCertificateAuthorityCertificate(ctx, &acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &root})
			if err != nil {
				t.Fatal(err)
			}
			awsPEM(t, "root CA certificate", aws.ToString(rc.Certificate), "CERTIFICATE", 1)

			_, err = c.RevokeCertificate(ctx, &acmpca.RevokeCertificateInput{CertificateAuthorityArn: &root,
				CertificateSerial: aws.String(serial), RevocationReason: types.RevocationReasonKeyCompromise})
			if msg := wantCode(t, err, "InvalidRequestException"); msg != "Self-signed certificate can not be revoked." {
				t.Errorf("message %q", msg)
			}

			sub, subCSR := createCA(t, c, types.CertificateAuthorityTypeSubordinate, types.KeyAlgorithmEcPrime256v1, sig, "Sub")
			sc := issueAndGet(t, c, root, subCSR, sig, "SubordinateCACertificate_PathLen0", years(5))
			awsPEM(t, "subordinate certificate", aws.ToString(sc.Certificate), "CERTIFICATE", 1)
			awsPEM(t, "subordinate's chain", aws.ToString(sc.CertificateChain), "CERTIFICATE", 1)
			importCert(t, c, sub, []byte(aws.ToString(sc.Certificate)), []byte(aws.ToString(sc.CertificateChain)))
			scc, err := c.GetCertificateAuthorityCertificate(ctx, &acmpca.GetCertificateAuthorityCertificateInput{CertificateAuthorityArn: &sub})
			if err != nil {
				t.Fatal(err)
			}
			awsPEM(t, "subordinate CA certificate", aws.ToString(scc.Certificate), "CERTIFICATE", 1)
			awsPEM(t, "subordinate CA chain", aws.ToString(scc.CertificateChain), "CERTIFICATE", 1)

			_, leafCSR := createCA(t, c, types.CertificateAuthorityTypeSubordinate, types.KeyAlgorithmEcPrime256v1, sig, "Leaf")
			leaf := issueAndGet(t, c, sub, leafCSR, sig, "", types.Validity{Type: types.ValidityPeriodTypeDays, Value: aws.Int64(30)})
			awsPEM(t, "leaf", aws.ToString(leaf.Certificate), "CERTIFICATE", 1)
			awsPEM(t, "leaf chain", aws.ToString(leaf.CertificateChain), "CERTIFICATE", 2)
			if want := aws.ToString(sc.Certificate) + "\n" + aws.ToString(self.Certificate); aws.ToString(leaf.CertificateChain) != want {
				t.Errorf("leaf chain is not sub, newline, root")
			}
		})
	}
}
