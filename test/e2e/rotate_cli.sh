#!/usr/bin/env bash
# Master-key rotation with the real binary and the aws CLI. Phase (ARG) "before"
# (server running): make a user key, keep it in $ROT_STATE, and check the
# rotation refuses beside the running server. Phase "after" (server
# restarted with the new key): the root profile over TLS and the user's key
# still sign, and the user's key still works for IAM.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"
case "$ARG" in
before)
  aws iam create-user --user-name rot-user >/dev/null
  aws iam put-user-policy --user-name rot-user --policy-name all \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
  aws iam create-access-key --user-name rot-user --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text >"$ROT_STATE"
  if "$OPENPCA_BIN" admin rotate-master-key --data-dir "$OPENPCA_DATA_DIR" --generate 2>err.txt; then
    echo "rotation ran beside a running server"; exit 1
  fi
  grep -q "data directory in use" err.txt || { cat err.txt; exit 1; }
  ;;
after)
  case "$OPENPCA_ENDPOINT" in https://*) ;; *) echo "endpoint $OPENPCA_ENDPOINT is not https"; exit 1 ;; esac
  aws sts get-caller-identity --query Arn --output text | grep -q ":root$"
  read -r kid secret <"$ROT_STATE"
  AWS_ACCESS_KEY_ID=$kid AWS_SECRET_ACCESS_KEY=$secret \
    aws sts get-caller-identity --query Arn --output text | grep -q ":user/rot-user$"
  AWS_ACCESS_KEY_ID=$kid AWS_SECRET_ACCESS_KEY=$secret \
    aws iam get-user --query User.UserName --output text | grep -qx rot-user
  ;;
esac
echo "rotate $ARG ok"
