#!/usr/bin/env bash
# Private CA with the real aws CLI: a root CA installs its self-signed
# certificate, issues a leaf for an openssl-made CSR, and openssl verifies it.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

cat > ca.json <<'JSON'
{"KeyAlgorithm":"RSA_2048","SigningAlgorithm":"SHA256WITHRSA",
 "Subject":{"Country":"US","Organization":"OpenPCA e2e","CommonName":"e2e Root CA"}}
JSON
ca=$(aws acm-pca create-certificate-authority --certificate-authority-type ROOT \
  --certificate-authority-configuration file://ca.json --idempotency-token e2e-root \
  --tags Key=suite,Value=e2e --query CertificateAuthorityArn --output text)
[[ "$ca" =~ ^arn:aws:acm-pca:[a-z0-9-]+:[0-9]{12}:certificate-authority/[0-9a-f-]{36}$ ]] || { echo "bad CA ARN: $ca"; exit 1; }

aws acm-pca wait certificate-authority-csr-created --certificate-authority-arn "$ca"
aws acm-pca get-certificate-authority-csr --certificate-authority-arn "$ca" --output text > ca.csr
openssl req -in ca.csr -noout -verify 2>&1 | grep -q "verify OK"
st=$(aws acm-pca describe-certificate-authority --certificate-authority-arn "$ca" --query CertificateAuthority.Status --output text)
[ "$st" = "PENDING_CERTIFICATE" ] || { echo "status before install: $st"; exit 1; }

# Install the root: its self-signed certificate through IssueCertificate.
rc=$(aws acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://ca.csr \
  --signing-algorithm SHA256WITHRSA --template-arn arn:aws:acm-pca:::template/RootCACertificate/V1 \
  --validity Value=10,Type=YEARS --query CertificateArn --output text)
[[ "$rc" == "$ca/certificate/"* ]] || { echo "bad certificate ARN: $rc"; exit 1; }
aws acm-pca wait certificate-issued --certificate-authority-arn "$ca" --certificate-arn "$rc"
aws acm-pca get-certificate --certificate-authority-arn "$ca" --certificate-arn "$rc" \
  --query Certificate --output text > root.pem
aws acm-pca import-certificate-authority-certificate --certificate-authority-arn "$ca" --certificate fileb://root.pem
st=$(aws acm-pca describe-certificate-authority --certificate-authority-arn "$ca" --query CertificateAuthority.Status --output text)
[ "$st" = "ACTIVE" ] || { echo "status after install: $st"; exit 1; }

# A leaf for an openssl-made CSR.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
  -subj "/CN=www.e2e.example" -addext "subjectAltName=DNS:www.e2e.example" -out leaf.csr 2>/dev/null
leaf=$(aws acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://leaf.csr \
  --signing-algorithm SHA256WITHRSA --validity Value=30,Type=DAYS --query CertificateArn --output text)
aws acm-pca wait certificate-issued --certificate-authority-arn "$ca" --certificate-arn "$leaf"
aws acm-pca get-certificate --certificate-authority-arn "$ca" --certificate-arn "$leaf" --query Certificate --output text > leaf.pem
aws acm-pca get-certificate --certificate-authority-arn "$ca" --certificate-arn "$leaf" --query CertificateChain --output text > chain.pem
openssl verify -CAfile root.pem leaf.pem | grep -q "leaf.pem: OK"
cmp <(openssl x509 -in chain.pem -outform DER) <(openssl x509 -in root.pem -outform DER)

# The ARN ends with the certificate's serial in lower-case hex.
serial=$(openssl x509 -in leaf.pem -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
[[ "$leaf" == *"/certificate/$serial" ]] || { echo "ARN $leaf does not end in serial $serial"; exit 1; }
openssl x509 -in leaf.pem -noout -ext extendedKeyUsage | grep -q "TLS Web Server Authentication"

# Refusals carry the modeled codes.
if aws acm-pca delete-certificate-authority --certificate-authority-arn "$ca" 2>err.txt; then echo "deleting an ACTIVE CA should fail"; exit 1; fi
grep -q InvalidStateException err.txt
echo "garbage" > bad.csr
if aws acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://bad.csr \
  --signing-algorithm SHA256WITHRSA --validity Value=1,Type=DAYS 2>err.txt; then echo "garbage CSR accepted"; exit 1; fi
grep -q MalformedCSRException err.txt
echo "pca cli ok: $ca issued $leaf"
