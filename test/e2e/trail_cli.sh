#!/usr/bin/env bash
# The call trail with the real aws CLI: account B issues a certificate from
# A's shared CA; `aws cloudtrail lookup-events` shows that issuance to both
# accounts (A as the CA's owner), with B's identity, and never a secret.
# Also scrapes /metrics (unauthenticated, on the main listener).
set -euo pipefail
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

acct_a=$(aws sts get-caller-identity --query Account --output text)
"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name trail-b --write-profile > b.json
acct_b=$(python3 -c 'import json;print(json.load(open("b.json"))["AccountId"])')

cat > ca.json <<'JSON'
{"KeyAlgorithm":"EC_prime256v1","SigningAlgorithm":"SHA256WITHECDSA",
 "Subject":{"Organization":"OpenPCA e2e","CommonName":"Trail Root CA"}}
JSON
ca=$(aws acm-pca create-certificate-authority --certificate-authority-type ROOT \
  --certificate-authority-configuration file://ca.json --query CertificateAuthorityArn --output text)
aws acm-pca wait certificate-authority-csr-created --certificate-authority-arn "$ca"
aws acm-pca get-certificate-authority-csr --certificate-authority-arn "$ca" --output text > ca.csr
rc=$(aws acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://ca.csr \
  --signing-algorithm SHA256WITHECDSA --template-arn arn:aws:acm-pca:::template/RootCACertificate/V1 \
  --validity Value=5,Type=YEARS --query CertificateArn --output text)
aws acm-pca wait certificate-issued --certificate-authority-arn "$ca" --certificate-arn "$rc"
aws acm-pca get-certificate --certificate-authority-arn "$ca" --certificate-arn "$rc" --query Certificate --output text > root.pem
aws acm-pca import-certificate-authority-certificate --certificate-authority-arn "$ca" --certificate fileb://root.pem

cat > policy.json <<JSON
{"Version":"2012-10-17","Statement":[
 {"Sid":"1","Effect":"Allow","Principal":{"AWS":"$acct_b"},"Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate"],"Resource":"$ca"}]}
JSON
aws acm-pca put-policy --resource-arn "$ca" --policy file://policy.json

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
  -subj "/CN=svc.b.example" -out leaf.csr 2>/dev/null
leaf=$(aws --profile trail-b acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://leaf.csr \
  --signing-algorithm SHA256WITHECDSA --validity Value=30,Type=DAYS --query CertificateArn --output text)

# Both accounts see B's issuance on A's CA.
for who in a b; do
  prof=()
  [ "$who" = b ] && prof=(--profile trail-b)
  aws "${prof[@]}" cloudtrail lookup-events \
    --lookup-attributes AttributeKey=EventName,AttributeValue=IssueCertificate --output json > "events-$who.json"
  python3 - "$who" "$acct_a" "$acct_b" "$ca" "$leaf" "events-$who.json" <<'PY'
import json, sys
who, a, b, ca, leaf, path = sys.argv[1:]
events = json.load(open(path))["Events"]
recs = [json.loads(e["CloudTrailEvent"]) for e in events]
mine = [r for r in recs if r["userIdentity"]["accountId"] == b and r.get("responseElements", {}) and r["responseElements"].get("certificateArn") == leaf]
assert mine, f"{who}: B's issuance not found in {recs}"
r = mine[0]
want_recipient = a if who == "a" else b
assert r["recipientAccountId"] == want_recipient, r
assert r["eventSource"] == "acm-pca.amazonaws.com" and r["eventName"] == "IssueCertificate", r
assert r["requestParameters"]["certificateAuthorityArn"] == ca, r
assert r["sharedEventID"] == r["eventID"], r
assert any(x["ARN"] == ca for x in r["resources"]), r
ev = [e for e in events if json.loads(e["CloudTrailEvent"])["eventID"] == r["eventID"]][0]
assert ev["ReadOnly"] == "false" and ev["EventSource"] == "acm-pca.amazonaws.com", ev
PY
done

# B's own access keys: created through IAM, the secret never in the trail.
aws --profile trail-b iam create-user --user-name robot > /dev/null
secret=$(aws --profile trail-b iam create-access-key --user-name robot --query AccessKey.SecretAccessKey --output text)
aws --profile trail-b cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=CreateAccessKey > keys.json
grep -q CreateAccessKey keys.json
if grep -q -- "$secret" keys.json; then echo "the trail holds a secret access key"; exit 1; fi

# Metrics: unauthenticated scrape on the main listener.
curl -sf "$OPENPCA_ENDPOINT/metrics" > metrics.txt
grep -q '^openpca_api_requests_total{operation="IssueCertificate",outcome="Success",service="acm-pca"} ' metrics.txt
grep -q '^openpca_pca_certificates_issued_total{' metrics.txt
echo "trail and metrics OK"
