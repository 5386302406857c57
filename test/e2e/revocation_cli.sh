#!/usr/bin/env bash
# Revocation with the real aws CLI and openssl: a root CA with CRL and OCSP
# enabled issues two leaves; one is revoked with `aws acm-pca
# revoke-certificate`; openssl's OCSP client sees it revoked (the other
# good, a never-issued serial unknown) and the CRL fetched over HTTP lists
# it and verifies. Then audit reports (JSON, the 30-minute rule, the
# SigV4-signed download) and the ACM permissions.
source "$(dirname "$0")/lib.sh"
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"
ep="${OPENPCA_ENDPOINT%/}"

cat > rev.json <<'JSON'
{"CrlConfiguration":{"Enabled":true,"ExpirationInDays":7},"OcspConfiguration":{"Enabled":true}}
JSON
ca=$(activate_root_ca "e2e Revocation Root" --revocation-configuration file://rev.json)
id="${ca##*/}"

# A disabling configuration may carry nothing but Enabled=false.
if aws acm-pca update-certificate-authority --certificate-authority-arn "$ca" \
  --revocation-configuration '{"CrlConfiguration":{"Enabled":false,"ExpirationInDays":7}}' 2>err.txt; then
  echo "a disabled CRL configuration with ExpirationInDays was accepted"; exit 1
fi
grep -q InvalidArgsException err.txt

issue_leaf() { # name
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
    -subj "/CN=$1.e2e.example" -out "$1.csr" 2>/dev/null
  local arn
  arn=$(aws acm-pca issue-certificate --certificate-authority-arn "$ca" --csr "fileb://$1.csr" \
    --signing-algorithm SHA256WITHECDSA --validity Value=30,Type=DAYS --query CertificateArn --output text)
  aws acm-pca wait certificate-issued --certificate-authority-arn "$ca" --certificate-arn "$arn"
  aws acm-pca get-certificate --certificate-authority-arn "$ca" --certificate-arn "$arn" --query Certificate --output text > "$1.pem"
}
issue_leaf good
issue_leaf bad

# The leaves name the CRL and the OCSP responder.
openssl x509 -in bad.pem -noout -ext crlDistributionPoints | grep -q "/crl/$id.crl"
openssl x509 -in bad.pem -noout -ext authorityInfoAccess | grep -q "OCSP - URI:.*/ocsp"

# Revoke with the serial as openssl prints it, colon-separated.
serial=$(openssl x509 -in bad.pem -noout -serial | cut -d= -f2)
aws acm-pca revoke-certificate --certificate-authority-arn "$ca" \
  --certificate-serial "$(echo "$serial" | sed 's/../&:/g; s/:$//')" --revocation-reason KEY_COMPROMISE

openssl ocsp -issuer root.pem -CAfile root.pem -cert bad.pem -url "$ep/ocsp" -resp_text > ocsp-bad.txt 2>&1
grep -q "bad.pem: revoked" ocsp-bad.txt || { cat ocsp-bad.txt; exit 1; }
grep -q "Reason: keyCompromise" ocsp-bad.txt
grep -q "Response verify OK" ocsp-bad.txt
openssl ocsp -issuer root.pem -CAfile root.pem -cert good.pem -url "$ep/ocsp" > ocsp-good.txt 2>&1
grep -q "good.pem: good" ocsp-good.txt || { cat ocsp-good.txt; exit 1; }
openssl ocsp -issuer root.pem -CAfile root.pem -serial 0x1234567890abcdef -url "$ep/ocsp" > ocsp-unknown.txt 2>&1
grep -q "0x1234567890abcdef: unknown" ocsp-unknown.txt || { cat ocsp-unknown.txt; exit 1; }

curl -fsS -o ca.crl "$ep/crl/$id.crl"
openssl crl -inform DER -in ca.crl -CAfile root.pem -noout -text > crl.txt 2>&1
grep -q "verify OK" crl.txt || { cat crl.txt; exit 1; }
grep -q "Serial Number: $serial" crl.txt
grep -q "Key Compromise" crl.txt

# Refusals.
if aws acm-pca revoke-certificate --certificate-authority-arn "$ca" --certificate-serial "$serial" \
  --revocation-reason SUPERSEDED 2>err.txt; then echo "second revocation accepted"; exit 1; fi
grep -q RequestAlreadyProcessedException err.txt
if aws acm-pca revoke-certificate --certificate-authority-arn "$ca" --certificate-serial 0123456789abcdef \
  --revocation-reason SUPERSEDED 2>err.txt; then echo "unknown serial revoked"; exit 1; fi
grep -q ResourceNotFoundException err.txt

# Audit report: JSON, listing both leaves and the revocation.
report=$(aws acm-pca create-certificate-authority-audit-report --certificate-authority-arn "$ca" \
  --s3-bucket-name e2e-audit --audit-report-response-format JSON --output json)
rid=$(echo "$report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["AuditReportId"])')
key=$(echo "$report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["S3Key"])')
aws acm-pca wait audit-report-created --certificate-authority-arn "$ca" --audit-report-id "$rid"
if aws acm-pca create-certificate-authority-audit-report --certificate-authority-arn "$ca" \
  --s3-bucket-name e2e-audit --audit-report-response-format CSV 2>err.txt; then echo "second report within 30 minutes"; exit 1; fi
grep -q RequestInProgressException err.txt
akid=$(aws configure get aws_access_key_id)
secret=$(aws configure get aws_secret_access_key)
region=$(aws configure get region || echo us-east-1)
curl -fsS --aws-sigv4 "aws:amz:${region:-us-east-1}:acm-pca" --user "$akid:$secret" -o report.json "$ep/audit/e2e-audit/$key"
python3 - report.json "$serial" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
serial = sys.argv[2].lower()
bad = [r for r in rows if r["serial"].replace(":", "") == serial]
assert len(rows) == 3, rows
assert bad and bad[0]["revocationReason"] == "KEY_COMPROMISE" and bad[0]["revokedAt"], bad
assert all(r["awsAccountId"] for r in rows), rows
PY
code=$(curl -s -o /dev/null -w '%{http_code}' "$ep/audit/e2e-audit/$key")
[ "$code" = 403 ] || { echo "unsigned audit download answered $code"; exit 1; }

# ACM permissions.
aws acm-pca create-permission --certificate-authority-arn "$ca" --principal acm.amazonaws.com \
  --actions IssueCertificate GetCertificate ListPermissions
if aws acm-pca create-permission --certificate-authority-arn "$ca" --principal acm.amazonaws.com \
  --actions IssueCertificate 2>err.txt; then echo "duplicate permission accepted"; exit 1; fi
grep -q PermissionAlreadyExistsException err.txt
n=$(aws acm-pca list-permissions --certificate-authority-arn "$ca" --query 'length(Permissions)' --output text)
[ "$n" = 1 ] || { echo "list-permissions: $n"; exit 1; }
aws acm-pca delete-permission --certificate-authority-arn "$ca" --principal acm.amazonaws.com
n=$(aws acm-pca list-permissions --certificate-authority-arn "$ca" --query 'length(Permissions)' --output text)
[ "$n" = 0 ] || { echo "list-permissions after delete: $n"; exit 1; }
echo "revocation cli ok: $ca revoked $serial"
