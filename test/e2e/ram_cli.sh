#!/usr/bin/env bash
# Sharing a CA through RAM with the real aws CLI (the seed's Case 2): A
# shares its CA with standalone account B (`aws ram create-resource-share`),
# B sees and accepts the invitation, lists the CA as shared with it and
# issues from an openssl CSR; then the organization path: with sharing
# enabled, a share to an OU reaches a member account at once, no invitation.
source "$(dirname "$0")/lib.sh"
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

acct_a=$(aws sts get-caller-identity --query Account --output text)
"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name ram-b --write-profile > b.json
acct_b=$(python3 -c 'import json;print(json.load(open("b.json"))["AccountId"])')

# A: a root CA, activated with its self-signed certificate.
ca=$(activate_root_ca "RAM Shared Root")

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
  -subj "/CN=svc.b.example" -addext "subjectAltName=DNS:svc.b.example" -out leaf.csr 2>/dev/null
issue_as() { # PROFILE -> certificate ARN
  aws --profile "$1" acm-pca issue-certificate --certificate-authority-arn "$ca" --csr fileb://leaf.csr \
    --signing-algorithm SHA256WITHECDSA --validity Value=30,Type=DAYS --query CertificateArn --output text
}

aws ram list-permissions --resource-type acm-pca:CertificateAuthority --query 'permissions[].name' --output text \
  | grep -q AWSRAMDefaultPermissionCertificateAuthority

# A shares the CA with B.
share=$(aws ram create-resource-share --name pca-share --resource-arns "$ca" --principals "$acct_b" \
  --query resourceShare.resourceShareArn --output text)
[[ "$share" == arn:aws:ram:*:$acct_a:resource-share/* ]] || { echo "bad share ARN $share"; exit 1; }
[ "$(aws ram get-resource-share-associations --association-type PRINCIPAL --resource-share-arns "$share" \
  --query 'resourceShareAssociations[0].status' --output text)" = ASSOCIATING ]

# Before accepting, B is refused.
if issue_as ram-b 2>err.txt; then echo "B issued before accepting"; exit 1; fi
grep -q "because no resource-based policy allows the acm-pca:IssueCertificate action" err.txt

# B sees the invitation and what it offers, and accepts it.
inv=$(aws --profile ram-b ram get-resource-share-invitations --resource-share-arns "$share" \
  --query 'resourceShareInvitations[0].resourceShareInvitationArn' --output text)
[ "$(aws --profile ram-b ram list-pending-invitation-resources --resource-share-invitation-arn "$inv" \
  --query 'resources[0].arn' --output text)" = "$ca" ]
[ "$(aws --profile ram-b ram accept-resource-share-invitation --resource-share-invitation-arn "$inv" \
  --query resourceShareInvitation.status --output text)" = ACCEPTED ]
[ "$(aws --profile ram-b acm-pca list-certificate-authorities --resource-owner OTHER_ACCOUNTS \
  --query 'CertificateAuthorities[0].Arn' --output text)" = "$ca" ]
[ "$(aws --profile ram-b ram get-resource-shares --resource-owner OTHER-ACCOUNTS \
  --query 'resourceShares[0].resourceShareArn' --output text)" = "$share" ]

# B issues; openssl verifies the leaf against A's root.
leaf=$(issue_as ram-b)
aws --profile ram-b acm-pca wait certificate-issued --certificate-authority-arn "$ca" --certificate-arn "$leaf"
aws --profile ram-b acm-pca get-certificate --certificate-authority-arn "$ca" --certificate-arn "$leaf" \
  --query Certificate --output text > leaf.pem
openssl verify -CAfile root.pem leaf.pem | grep -q "leaf.pem: OK"

# RAM wrote the CA policy: GetPolicy and GetResourcePolicies agree.
aws acm-pca get-policy --resource-arn "$ca" --query Policy --output text > pca-policy.json
aws ram get-resource-policies --resource-arns "$ca" --query 'policies[0]' --output text > ram-policy.json
cmp -s pca-policy.json ram-policy.json || { echo "policies differ"; cat pca-policy.json ram-policy.json; exit 1; }
grep -q "arn:aws:iam::$acct_b:root" pca-policy.json

# Deleting the share takes B's access away.
aws ram delete-resource-share --resource-share-arn "$share" --query returnValue --output text | grep -q True
if issue_as ram-b 2>err.txt; then echo "B issued after the share was deleted"; exit 1; fi
grep -q "AccessDeniedException" err.txt

# Organization path: sharing enabled, member M in an OU gets access at once.
org=$(aws organizations create-organization --feature-set ALL --query Organization.Id --output text)
root=$(aws organizations list-roots --query 'Roots[0].Id' --output text)
ou=$(aws organizations create-organizational-unit --parent-id "$root" --name Shared --query OrganizationalUnit.Id --output text)
req=$(aws organizations create-account --account-name ram-m --email ram-m@example.com --query CreateAccountStatus.Id --output text)
for _ in $(seq 1 30); do
  st=$(aws organizations describe-create-account-status --create-account-request-id "$req" --query CreateAccountStatus.State --output text)
  [ "$st" = SUCCEEDED ] && break
  sleep 1
done
acct_m=$(aws organizations describe-create-account-status --create-account-request-id "$req" --query CreateAccountStatus.AccountId --output text)
aws organizations move-account --account-id "$acct_m" --source-parent-id "$root" --destination-parent-id "$ou"
[ "$(aws ram enable-sharing-with-aws-organization --query returnValue --output text)" = True ]

# An admin user of A assumes M's OrganizationAccountAccessRole and makes M's issuer.
aws iam create-user --user-name ram-admin > /dev/null
aws iam put-user-policy --user-name ram-admin --policy-name all \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
read -r akid secret < <(aws iam create-access-key --user-name ram-admin --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
aws configure set aws_access_key_id "$akid" --profile ram-admin
aws configure set aws_secret_access_key "$secret" --profile ram-admin
aws configure set role_arn "arn:aws:iam::$acct_m:role/OrganizationAccountAccessRole" --profile ram-m
aws configure set source_profile ram-admin --profile ram-m
for p in ram-admin ram-m; do
  aws configure set region "$(aws configure get region)" --profile "$p"
  aws configure set endpoint_url "$OPENPCA_ENDPOINT" --profile "$p"
done
[ "$(aws --profile ram-m sts get-caller-identity --query Account --output text)" = "$acct_m" ]

ou_arn="arn:aws:organizations::$acct_a:ou/$org/$ou"
ou_share=$(aws ram create-resource-share --name ou-share --resource-arns "$ca" --principals "$ou_arn" \
  --no-allow-external-principals --query resourceShare.resourceShareArn --output text)
[ "$(aws ram get-resource-share-associations --association-type PRINCIPAL --resource-share-arns "$ou_share" \
  --query 'resourceShareAssociations[0].status' --output text)" = ASSOCIATED ]
[ "$(aws --profile ram-m ram get-resource-share-invitations --query 'length(resourceShareInvitations)' --output text)" = 0 ]
leaf_m=$(issue_as ram-m)
[[ "$leaf_m" == "$ca/certificate/"* ]] || { echo "M's certificate $leaf_m"; exit 1; }
echo "ram cli ok: $ca shared with $acct_b (accepted) and OU $ou ($acct_m issued $leaf_m)"
