# Shared by the end-to-end scripts: source it before leaving test/e2e.
set -euo pipefail
shopt -s inherit_errexit

# activate_root_ca CN [create-certificate-authority options…] creates an EC
# P-256 root CA in the current profile, installs its self-signed 5-year
# certificate the way the PCA guide does (CSR, RootCACertificate/V1,
# import), writes root.pem in the current directory and prints the CA ARN.
activate_root_ca() {
  local cn=$1 ca rc
  shift
  printf '{"KeyAlgorithm":"EC_prime256v1","SigningAlgorithm":"SHA256WITHECDSA","Subject":{"Organization":"OpenPCA e2e","CommonName":"%s"}}' \
    "$cn" > ca.json
  ca=$(aws acm-pca create-certificate-authority --certificate-authority-type ROOT \
    --certificate-authority-configuration file://ca.json "$@" --query CertificateAuthorityArn --output text)
  aws acm-pca wait certificate-authority-csr-created --certificate-authority-arn "$ca"
  aws acm-pca get-certificate-authority-csr --certificate-authority-arn "$ca" --output text > ca.csr
  rc=$(aws acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://ca.csr \
    --signing-algorithm SHA256WITHECDSA --template-arn arn:aws:acm-pca:::template/RootCACertificate/V1 \
    --validity Value=5,Type=YEARS --query CertificateArn --output text)
  aws acm-pca wait certificate-issued --certificate-authority-arn "$ca" --certificate-arn "$rc"
  aws acm-pca get-certificate --certificate-authority-arn "$ca" --certificate-arn "$rc" --query Certificate --output text > root.pem
  aws acm-pca import-certificate-authority-certificate --certificate-authority-arn "$ca" --certificate fileb://root.pem
  echo "$ca"
}
