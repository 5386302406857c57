#!/usr/bin/env bash
# Virtual MFA devices, MFA-verified sessions and permissions boundaries
# with the aws CLI. Codes are computed here from the seed the CLI saved.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"
acct=$(aws sts get-caller-identity --query Account --output text)

# totp STEP_OFFSET: the RFC 6238 code of the seed for now + offset steps.
totp() {
  python3 - "$1" <<'PY'
import base64, hashlib, hmac, struct, sys, time
seed = open("seed.txt").read().strip()
key = base64.b32decode(seed + "=" * ((8 - len(seed) % 8) % 8))
step = int(time.time()) // 30 + int(sys.argv[1])
h = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}

aws iam create-user --user-name mfa-user >/dev/null
aws iam put-user-policy --user-name mfa-user --policy-name p --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"}]}'
aws iam create-access-key --user-name mfa-user > key.json
aws configure set aws_access_key_id "$(python3 -c 'import json;print(json.load(open("key.json"))["AccessKey"]["AccessKeyId"])')" --profile mfa
aws configure set aws_secret_access_key "$(python3 -c 'import json;print(json.load(open("key.json"))["AccessKey"]["SecretAccessKey"])')" --profile mfa
aws configure set region us-east-1 --profile mfa
aws configure set endpoint_url "$OPENPCA_ENDPOINT" --profile mfa

# The CLI writes the decoded seed (and the QR code) to the outfile.
serial=$(aws iam create-virtual-mfa-device --virtual-mfa-device-name mfa-user \
  --outfile seed.txt --bootstrap-method Base32StringSeed --query VirtualMFADevice.SerialNumber --output text)
[ "$serial" = "arn:aws:iam::$acct:mfa/mfa-user" ] || { echo "serial: $serial"; exit 1; }
[[ "$(cat seed.txt)" =~ ^[A-Z2-7]{64}$ ]] || { echo "seed: $(cat seed.txt)"; exit 1; }
aws iam create-virtual-mfa-device --virtual-mfa-device-name qr --outfile qr.png --bootstrap-method QRCodePNG >/dev/null
head -c 8 qr.png | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a"

if aws iam enable-mfa-device --user-name mfa-user --serial-number "$serial" \
  --authentication-code1 000000 --authentication-code2 000000 2>err.txt; then echo "bad codes enabled"; exit 1; fi
grep -q "InvalidAuthenticationCode" err.txt
aws iam enable-mfa-device --user-name mfa-user --serial-number "$serial" \
  --authentication-code1 "$(totp -1)" --authentication-code2 "$(totp 0)"
aws iam list-mfa-devices --user-name mfa-user --query 'MFADevices[].SerialNumber' --output text | grep -qx "$serial"

# Long-term keys: no MFA. A session with a verified code: MFA present.
if aws --profile mfa iam list-roles 2>err.txt >/dev/null; then echo "list-roles without MFA"; exit 1; fi
grep -q AccessDenied err.txt
code=$(totp 1)
aws --profile mfa sts get-session-token --serial-number "$serial" --token-code "$code" > sess.json
if aws --profile mfa sts get-session-token --serial-number "$serial" --token-code "$code" 2>err.txt >/dev/null; then echo "code reused"; exit 1; fi
grep -q "MultiFactorAuthentication failed with invalid MFA one time pass code" err.txt
AWS_ACCESS_KEY_ID=$(python3 -c 'import json;print(json.load(open("sess.json"))["Credentials"]["AccessKeyId"])') \
AWS_SECRET_ACCESS_KEY=$(python3 -c 'import json;print(json.load(open("sess.json"))["Credentials"]["SecretAccessKey"])') \
AWS_SESSION_TOKEN=$(python3 -c 'import json;print(json.load(open("sess.json"))["Credentials"]["SessionToken"])') \
  aws iam list-roles >/dev/null

# A permissions boundary that leaves only ListUsers.
parn=$(aws iam create-policy --policy-name users-only --query Policy.Arn --output text --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}')
aws iam put-user-permissions-boundary --user-name mfa-user --permissions-boundary "$parn"
[ "$(aws iam get-user --user-name mfa-user --query User.PermissionsBoundary.PermissionsBoundaryArn --output text)" = "$parn" ]
aws --profile mfa iam list-users >/dev/null
if aws --profile mfa iam get-user 2>err.txt >/dev/null; then echo "boundary ignored"; exit 1; fi
grep -q "because no permissions boundary allows the iam:GetUser action" err.txt
echo "mfa_cli: ok"
