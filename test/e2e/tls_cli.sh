#!/usr/bin/env bash
# The aws CLI over TLS from the internal CA, with nothing but the printed
# exports: the profile's ca_bundle is what makes the CLI trust the server.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

case "$OPENPCA_ENDPOINT" in https://*) ;; *) echo "endpoint $OPENPCA_ENDPOINT is not https"; exit 1 ;; esac
bundle=$(aws configure get ca_bundle)
[ -s "$bundle" ] || { echo "ca_bundle '$bundle' missing"; exit 1; }

acct=$(aws sts get-caller-identity --query Account --output text)
[[ "$acct" =~ ^[0-9]{12}$ ]] || { echo "bad account: $acct"; exit 1; }
aws iam create-user --user-name tls-user >/dev/null
kid=$(aws iam create-access-key --user-name tls-user --query AccessKey.AccessKeyId --output text)
[[ "$kid" =~ ^AKIA ]] || { echo "bad key: $kid"; exit 1; }

# Without the bundle (the system roots only) the CLI refuses the server.
if AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt aws sts get-caller-identity >/dev/null 2>err.txt; then
  echo "the CLI trusted the server without the bundle"; exit 1
fi
grep -qi "certificate\|ssl" err.txt || { cat err.txt; exit 1; }

# openssl agrees: the chain verifies against the bundle for the endpoint's IP.
hostport=${OPENPCA_ENDPOINT#https://}
openssl s_client -connect "$hostport" -CAfile "$bundle" -verify_return_error -verify_ip "${hostport%:*}" </dev/null >sclient.txt 2>&1 \
  || { cat sclient.txt; exit 1; }
grep -q "Verify return code: 0 (ok)" sclient.txt

# A new account's profile written on request carries the bundle too.
"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name tls-b --write-profile > b.json
[ "$(aws configure get ca_bundle --profile tls-b)" = "$bundle" ]
aws --profile tls-b sts get-caller-identity >/dev/null
echo "tls cli ok: $OPENPCA_ENDPOINT verified with $bundle"
