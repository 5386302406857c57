#!/usr/bin/env bash
# Cross-account issuance with the real aws CLI (the seed's Case 2 up to
# unmanaged issuance): account A creates and activates a CA and shares it
# with account B through put-policy; B issues from an openssl CSR and
# fetches the certificate; C, not named, is denied with AWS's message;
# after delete-policy B is denied too.
source "$(dirname "$0")/lib.sh"
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

acct_a=$(aws sts get-caller-identity --query Account --output text)
"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name xacct-b --write-profile > b.json
"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name xacct-c --write-profile > c.json
acct_b=$(python3 -c 'import json;print(json.load(open("b.json"))["AccountId"])')
acct_c=$(python3 -c 'import json;print(json.load(open("c.json"))["AccountId"])')
[ "$(aws --profile xacct-b sts get-caller-identity --query Account --output text)" = "$acct_b" ]

# A: a root CA, activated with its self-signed certificate.
ca=$(activate_root_ca "Shared Root CA")

# B's CSR, made with openssl.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
  -subj "/CN=svc.b.example" -addext "subjectAltName=DNS:svc.b.example" -out leaf.csr 2>/dev/null

# Before any policy, B is refused.
if aws --profile xacct-b acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://leaf.csr \
  --signing-algorithm SHA256WITHECDSA --validity Value=30,Type=DAYS 2>err.txt; then echo "B issued without a policy"; exit 1; fi
grep -q "AccessDeniedException" err.txt
grep -q "because no resource-based policy allows the acm-pca:IssueCertificate action" err.txt

# A shares the CA with B (the PCA guide's account share, duplicate Sids and all).
cat > policy.json <<JSON
{"Version":"2012-10-17","Statement":[
 {"Sid":"1","Effect":"Allow","Principal":{"AWS":"$acct_b"},
  "Action":["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate","acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions","acm-pca:ListTags"],
  "Resource":"$ca"},
 {"Sid":"1","Effect":"Allow","Principal":{"AWS":"$acct_b"},"Action":["acm-pca:IssueCertificate"],"Resource":"$ca",
  "Condition":{"StringEquals":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}}]}
JSON
aws acm-pca put-policy --resource-arn "$ca" --policy file://policy.json
aws acm-pca get-policy --resource-arn "$ca" --query Policy --output text | grep -q "\"$acct_b\""

# B issues and fetches its certificate; openssl verifies it against A's root.
leaf=$(aws --profile xacct-b acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://leaf.csr \
  --signing-algorithm SHA256WITHECDSA --validity Value=30,Type=DAYS --query CertificateArn --output text)
[[ "$leaf" == "$ca/certificate/"* ]] || { echo "certificate $leaf is not under $ca"; exit 1; }
aws --profile xacct-b acm-pca wait certificate-issued --certificate-authority-arn "$ca" --certificate-arn "$leaf"
aws --profile xacct-b acm-pca get-certificate --certificate-authority-arn "$ca" --certificate-arn "$leaf" \
  --query Certificate --output text > leaf.pem
openssl verify -CAfile root.pem leaf.pem | grep -q "leaf.pem: OK"
owner=$(aws --profile xacct-b acm-pca describe-certificate-authority --certificate-authority-arn "$ca" \
  --query CertificateAuthority.OwnerAccount --output text)
[ "$owner" = "$acct_a" ] || { echo "owner seen by B: $owner"; exit 1; }

# B may not manage A's CA.
if aws --profile xacct-b acm-pca get-policy --resource-arn "$ca" 2>err.txt; then echo "B read A's policy"; exit 1; fi
grep -q "AccessDeniedException" err.txt

# C is not named: denied with AWS's message.
if aws --profile xacct-c acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://leaf.csr \
  --signing-algorithm SHA256WITHECDSA --validity Value=30,Type=DAYS 2>err.txt; then echo "C issued"; exit 1; fi
grep -q "User: arn:aws:iam::$acct_c:root is not authorized to perform: acm-pca:IssueCertificate on resource: $ca because no resource-based policy allows the acm-pca:IssueCertificate action" err.txt

# Beyond AWS: who can issue from the CA right now, and why.
"$OPENPCA_BIN" admin who-can --data-dir "$OPENPCA_DATA_DIR" --ca "$ca" > whocan.txt
grep -q "arn:aws:iam::$acct_b:root" whocan.txt || { echo "who-can does not list B's root"; cat whocan.txt; exit 1; }
grep -q "AllowedByBoth" whocan.txt

# After delete-policy, B is denied again.
aws acm-pca delete-policy --resource-arn "$ca"
if aws acm-pca get-policy --resource-arn "$ca" 2>err.txt; then echo "policy still there"; exit 1; fi
grep -q "ResourceNotFoundException" err.txt
if aws --profile xacct-b acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://leaf.csr \
  --signing-algorithm SHA256WITHECDSA --validity Value=30,Type=DAYS 2>err.txt; then echo "B issued after delete-policy"; exit 1; fi
grep -q "because no resource-based policy allows the acm-pca:IssueCertificate action" err.txt
"$OPENPCA_BIN" admin who-can --data-dir "$OPENPCA_DATA_DIR" --ca "$ca" > whocan.txt
if grep -q "arn:aws:iam::$acct_b:" whocan.txt; then echo "who-can still lists B after delete-policy"; cat whocan.txt; exit 1; fi
echo "cross-account cli ok: $ca shared with $acct_b, issued $leaf"
