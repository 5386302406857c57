#!/usr/bin/env bash
# boto3 with nothing but the printed exports.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
python3 - <<'PY'
import boto3, botocore
sts = boto3.client("sts")
me = sts.get_caller_identity()
assert me["Arn"].endswith(":root"), me
iam = boto3.client("iam")
iam.create_user(UserName="py-user", Tags=[{"Key": "team", "Value": "pki"}])
u = iam.get_user(UserName="py-user")["User"]
assert u["Arn"] == "arn:aws:iam::%s:user/py-user" % me["Account"], u
try:
    iam.get_user(UserName="nobody")
    raise SystemExit("expected NoSuchEntity")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchEntity", e.response
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, e.response
    assert e.response["ResponseMetadata"]["RequestId"], e.response
print("boto3 ok")
PY
