#!/usr/bin/env bash
# The aws CLI against a fresh server, with nothing but the printed exports.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

acct=$(aws sts get-caller-identity --query Account --output text)
[[ "$acct" =~ ^[0-9]{12}$ ]] || { echo "bad account: $acct"; exit 1; }
arn=$(aws sts get-caller-identity --query Arn --output text)
[ "$arn" = "arn:aws:iam::$acct:root" ] || { echo "root arn: $arn"; exit 1; }

aws iam create-user --user-name e2e-user >/dev/null
aws iam create-access-key --user-name e2e-user > key.json
kid=$(python3 -c 'import json;print(json.load(open("key.json"))["AccessKey"]["AccessKeyId"])')
sec=$(python3 -c 'import json;print(json.load(open("key.json"))["AccessKey"]["SecretAccessKey"])')

# A profile for the new key, written the usual way.
aws configure set aws_access_key_id "$kid" --profile e2e-user
aws configure set aws_secret_access_key "$sec" --profile e2e-user
aws configure set region us-east-1 --profile e2e-user
aws configure set endpoint_url "$OPENPCA_ENDPOINT" --profile e2e-user

uarn=$(aws --profile e2e-user sts get-caller-identity --query Arn --output text)
[ "$uarn" = "arn:aws:iam::$acct:user/e2e-user" ] || { echo "user arn: $uarn"; exit 1; }

# Denied until a policy allows it, with AWS's message.
if aws --profile e2e-user iam list-users 2>err.txt; then echo "list-users should be denied"; exit 1; fi
grep -q "AccessDenied" err.txt
grep -q "is not authorized to perform: iam:ListUsers" err.txt

aws iam put-user-policy --user-name e2e-user --policy-name list \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}'
aws --profile e2e-user iam list-users --query 'Users[].UserName' --output text | grep -qx "e2e-user"

# The CLI decodes the URL-encoded policy document.
aws iam get-user-policy --user-name e2e-user --policy-name list --query 'PolicyDocument.Statement[0].Action' --output text | grep -qx "iam:ListUsers"

# The decision explained in plain words, from the same data while the server runs.
"$OPENPCA_BIN" admin explain --data-dir "$OPENPCA_DATA_DIR" --principal "arn:aws:iam::$acct:user/e2e-user" --action iam:ListUsers > explain.txt
grep -q "ALLOWED" explain.txt
grep -q 'inline/list' explain.txt
set +e
"$OPENPCA_BIN" admin explain --data-dir "$OPENPCA_DATA_DIR" --principal "arn:aws:iam::$acct:user/e2e-user" --action iam:CreateUser > explain.txt
rc=$?
set -e
[ "$rc" -eq 3 ] || { echo "explain of a denial exited $rc"; cat explain.txt; exit 1; }
grep -q "DENIED" explain.txt
grep -q "no identity-based policy allows the iam:CreateUser action" explain.txt

# Without --write-profile the root key is only printed, never stored.
"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name team-quiet > quiet.json
qk=$(python3 -c 'import json;print(json.load(open("quiet.json"))["SecretAccessKey"])')
if grep -rqF -- "$qk" "$OPENPCA_DATA_DIR/aws"; then echo "create-account stored a root secret without --write-profile"; exit 1; fi

# A standalone account created while the server runs gets its own profile.
"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name team-b --write-profile > teamb.json
tb=$(python3 -c 'import json;print(json.load(open("teamb.json"))["AccountId"])')
[ "$tb" != "$acct" ]
got=$(aws --profile team-b sts get-caller-identity --query Account --output text)
[ "$got" = "$tb" ] || { echo "team-b account: $got want $tb"; exit 1; }
# Services this build does not serve answer plainly, in their protocol's
# shape (awsJson1_1, restJson1, awsQuery), and in any region.
for cmd in "kms list-keys" "lambda list-functions" "ec2 describe-regions --region us-gov-west-1"; do
  svc=${cmd%% *}
  if aws $cmd 2>err.txt; then echo "$svc answered"; exit 1; fi
  grep -q "(NotImplemented)" err.txt && grep -q "The service '$svc' is not offered by this OpenPCA server" err.txt \
    || { echo "$svc:"; cat err.txt; exit 1; }
done
echo "cli basics ok: management $acct, team-b $tb"
