#!/usr/bin/env bash
# Managed certificates with the real aws CLI and openssl (the seed's Case 2
# in full): account A shares a CA with account B through RAM and B accepts;
# B requests a managed certificate, waits for it, exports it with a
# passphrase, decrypts the key with openssl and verifies the chain; B also
# issues an unmanaged certificate; B renews and sees a new serial under the
# same ARN; A's operator sees B's certificate in renewal-health.
source "$(dirname "$0")/lib.sh"
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name acm-b --write-profile > b.json
acct_b=$(python3 -c 'import json;print(json.load(open("b.json"))["AccountId"])')

# A: an EC root CA, activated with its self-signed certificate.
ca=$(activate_root_ca "Managed Root CA")

# A shares the CA with B through RAM; B accepts the invitation. The policy
# RAM writes names B's account, which also covers ACM's service-linked role
# in B (renewals run as that role).
share=$(aws ram create-resource-share --name acm-share --resource-arns "$ca" --principals "$acct_b" \
  --query resourceShare.resourceShareArn --output text)
inv=$(aws --profile acm-b ram get-resource-share-invitations --resource-share-arns "$share" \
  --query 'resourceShareInvitations[0].resourceShareInvitationArn' --output text)
aws --profile acm-b ram accept-resource-share-invitation --resource-share-invitation-arn "$inv" > /dev/null
[ "$(aws --profile acm-b acm-pca list-certificate-authorities --resource-owner OTHER_ACCOUNTS \
  --query 'CertificateAuthorities[0].Arn' --output text)" = "$ca" ]

# B requests a managed certificate and waits for it.
cert=$(aws --profile acm-b acm request-certificate --domain-name app.b.example \
  --subject-alternative-names www.b.example --certificate-authority-arn "$ca" --key-algorithm EC_prime256v1 \
  --query CertificateArn --output text)
[[ "$cert" == "arn:aws:acm:"*":$acct_b:certificate/"* ]] || { echo "bad ARN $cert"; exit 1; }
aws --profile acm-b acm wait certificate-validated --certificate-arn "$cert"
[ "$(aws --profile acm-b acm describe-certificate --certificate-arn "$cert" --query Certificate.Status --output text)" = ISSUED ]
[ "$(aws --profile acm-b acm describe-certificate --certificate-arn "$cert" --query Certificate.KeyAlgorithm --output text)" = EC-prime256v1 ]
# The service-linked role now exists in B.
aws --profile acm-b iam get-role --role-name AWSServiceRoleForCertificateManager --query Role.Arn --output text \
  | grep -q ":role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager"

# Export with a passphrase; openssl decrypts the key and checks the pair and the chain.
printf 'openpca-e2e-pass' > pass.txt
aws --profile acm-b acm export-certificate --certificate-arn "$cert" --passphrase fileb://pass.txt > export.json
python3 - <<'PY'
import json
e = json.load(open("export.json"))
open("cert.pem", "w").write(e["Certificate"] + "\n")
open("chain.pem", "w").write(e["CertificateChain"] + "\n")
open("key.enc.pem", "w").write(e["PrivateKey"] + "\n")
PY
grep -q "BEGIN ENCRYPTED PRIVATE KEY" key.enc.pem
openssl pkcs8 -in key.enc.pem -passin pass:openpca-e2e-pass -out key.pem
[ "$(openssl pkey -in key.pem -pubout)" = "$(openssl x509 -in cert.pem -noout -pubkey)" ] || { echo "key does not match"; exit 1; }
openssl verify -CAfile root.pem cert.pem | grep -q "cert.pem: OK"
openssl x509 -in cert.pem -noout -ext subjectAltName | grep -q "DNS:www.b.example"
[ "$(aws --profile acm-b acm describe-certificate --certificate-arn "$cert" --query Certificate.RenewalEligibility --output text)" = ELIGIBLE ]
serial1=$(aws --profile acm-b acm describe-certificate --certificate-arn "$cert" --query Certificate.Serial --output text)

# B also issues an unmanaged certificate from the shared CA.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
  -subj "/CN=svc.b.example" -out leaf.csr 2>/dev/null
leaf=$(aws --profile acm-b acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://leaf.csr \
  --signing-algorithm SHA256WITHECDSA --validity Value=30,Type=DAYS --query CertificateArn --output text)
aws --profile acm-b acm-pca wait certificate-issued --certificate-authority-arn "$ca" --certificate-arn "$leaf"

# B renews now: a new serial under the same ARN.
aws --profile acm-b acm renew-certificate --certificate-arn "$cert"
for _ in $(seq 50); do
  st=$(aws --profile acm-b acm describe-certificate --certificate-arn "$cert" --query Certificate.RenewalSummary.RenewalStatus --output text)
  [ "$st" = SUCCESS ] && break
  sleep 0.2
done
[ "$st" = SUCCESS ] || { echo "renewal status $st"; exit 1; }
serial2=$(aws --profile acm-b acm describe-certificate --certificate-arn "$cert" --query Certificate.Serial --output text)
[ "$serial1" != "$serial2" ] || { echo "renewal kept serial $serial1"; exit 1; }
[ "$(aws --profile acm-b acm describe-certificate --certificate-arn "$cert" --query Certificate.RenewalEligibility --output text)" = INELIGIBLE ]

# A's operator sees B's managed certificate and its predicted renewal.
"$OPENPCA_BIN" admin renewal-health --data-dir "$OPENPCA_DATA_DIR" --ca "$ca" > health.txt
grep -q "$cert" health.txt && grep -q "$acct_b" health.txt || { cat health.txt; exit 1; }
echo "acm_cli: ok"
