#!/usr/bin/env bash
# After a restart on the same data dir every earlier profile still works.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
aws sts get-caller-identity >/dev/null
aws --profile e2e-user sts get-caller-identity --query Arn --output text | grep -q ":user/e2e-user$"
aws --profile team-b sts get-caller-identity >/dev/null
aws iam get-user --user-name e2e-user --query User.UserName --output text | grep -qx e2e-user
echo "after restart ok"
