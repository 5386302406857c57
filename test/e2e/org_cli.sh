#!/usr/bin/env bash
# An organization built with the real `aws organizations` CLI: two OUs and
# three member accounts (two created, one invited), then the tree printed.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

mgmt=$(aws sts get-caller-identity --query Account --output text)
org=$(aws organizations create-organization --feature-set ALL --query Organization.Id --output text)
[[ "$org" =~ ^o-[a-z0-9]{10,32}$ ]] || { echo "bad org id: $org"; exit 1; }
root=$(aws organizations list-roots --query 'Roots[0].Id' --output text)
[[ "$root" =~ ^r-[0-9a-z]{4,32}$ ]] || { echo "bad root id: $root"; exit 1; }

eng=$(aws organizations create-organizational-unit --parent-id "$root" --name Engineering --query OrganizationalUnit.Id --output text)
ops=$(aws organizations create-organizational-unit --parent-id "$root" --name Operations --query OrganizationalUnit.Id --output text)
[[ "$eng" == ou-${root#r-}-* ]] || { echo "bad OU id: $eng"; exit 1; }

# A duplicate name under the same parent is refused.
if aws organizations create-organizational-unit --parent-id "$root" --name Engineering 2>err.txt; then
  echo "duplicate OU accepted"; exit 1
fi
grep -q DuplicateOrganizationalUnitException err.txt

# create_account NAME EMAIL: start the request, poll until it succeeds, print the account ID.
create_account() {
  local req state acct
  req=$(aws organizations create-account --account-name "$1" --email "$2" --query CreateAccountStatus.Id --output text)
  for _ in $(seq 1 30); do
    state=$(aws organizations describe-create-account-status --create-account-request-id "$req" --query CreateAccountStatus.State --output text)
    if [ "$state" = SUCCEEDED ]; then
      aws organizations describe-create-account-status --create-account-request-id "$req" --query CreateAccountStatus.AccountId --output text
      return 0
    fi
    [ "$state" = IN_PROGRESS ] || { echo "create-account $1: $state" >&2; return 1; }
    sleep 1
  done
  echo "create-account $1 did not finish" >&2
  return 1
}
dev=$(create_account dev dev@example.com)
prod=$(create_account prod prod@example.com)
aws organizations move-account --account-id "$dev" --source-parent-id "$root" --destination-parent-id "$eng"
aws organizations move-account --account-id "$prod" --source-parent-id "$root" --destination-parent-id "$ops"

# The third account is standalone first, then invited; its root accepts.
"$OPENPCA_BIN" admin create-account --data-dir "$OPENPCA_DATA_DIR" --name org-invitee --write-profile > invitee.json
inv=$(python3 -c 'import json;print(json.load(open("invitee.json"))["AccountId"])')
if aws --profile org-invitee organizations describe-organization 2>err.txt; then echo "standalone account sees an organization"; exit 1; fi
grep -q AWSOrganizationsNotInUseException err.txt
hs=$(aws organizations invite-account-to-organization --target "Id=$inv,Type=ACCOUNT" --notes "join us" --query Handshake.Id --output text)
aws --profile org-invitee organizations list-handshakes-for-account --query 'Handshakes[].Id' --output text | grep -qx "$hs"
state=$(aws --profile org-invitee organizations accept-handshake --handshake-id "$hs" --query Handshake.State --output text)
[ "$state" = ACCEPTED ] || { echo "handshake state: $state"; exit 1; }
aws organizations move-account --account-id "$inv" --source-parent-id "$root" --destination-parent-id "$eng"

# A member may describe the organization but not manage it.
got=$(aws --profile org-invitee organizations describe-organization --query Organization.MasterAccountId --output text)
[ "$got" = "$mgmt" ] || { echo "member sees management account $got"; exit 1; }
if aws --profile org-invitee organizations list-accounts 2>err.txt; then echo "member listed accounts"; exit 1; fi
grep -q AccessDeniedException err.txt

# Deleting an OU with accounts in it is refused.
if aws organizations delete-organizational-unit --organizational-unit-id "$eng" 2>err.txt; then echo "non-empty OU deleted"; exit 1; fi
grep -q OrganizationalUnitNotEmptyException err.txt

n=$(aws organizations list-accounts --query 'length(Accounts)' --output text)
[ "$n" = 4 ] || { echo "list-accounts: $n accounts, want 4"; exit 1; }

# Print the tree.
print_tree() { # PARENT INDENT
  local child name
  for child in $(aws organizations list-children --parent-id "$1" --child-type ACCOUNT --query 'Children[].Id' --output text); do
    name=$(aws organizations describe-account --account-id "$child" --query Account.Name --output text)
    echo "$2- account $child ($name)"
  done
  for child in $(aws organizations list-children --parent-id "$1" --child-type ORGANIZATIONAL_UNIT --query 'Children[].Id' --output text); do
    name=$(aws organizations describe-organizational-unit --organizational-unit-id "$child" --query OrganizationalUnit.Name --output text)
    echo "$2- OU $child ($name)"
    print_tree "$child" "$2  "
  done
}
echo "organization $org (management $mgmt)"
echo "root $root"
print_tree "$root" "  " | tee tree.txt
[ "$(grep -c ' account ' tree.txt)" = 4 ] || { echo "tree has the wrong accounts"; exit 1; }
[ "$(grep -c ' OU ' tree.txt)" = 2 ] || { echo "tree has the wrong OUs"; exit 1; }
grep -q "account $inv (org-invitee)" tree.txt
# The bootstrap account has no e-mail of its own: the generated one shows.
email=$(aws organizations describe-organization --query Organization.MasterAccountEmail --output text)
[ "$email" = "$mgmt@openpca.invalid" ] || { echo "MasterAccountEmail: $email"; exit 1; }

# Input that breaks the model's pattern is an InvalidInputException.
if aws organizations describe-account --account-id 12345 2>err.txt; then echo "bad account ID accepted"; exit 1; fi
grep -q "InvalidInputException.*does not match the required pattern" err.txt

# RCPs: enabling attaches RCPFullAWSAccess everywhere.
aws organizations enable-policy-type --root-id "$root" --policy-type RESOURCE_CONTROL_POLICY > /dev/null
got=$(aws organizations list-policies-for-target --target-id "$dev" --filter RESOURCE_CONTROL_POLICY --query 'Policies[].Id' --output text)
[ "$got" = p-RCPFullAWSAccess ] || { echo "RCPs on $dev: $got"; exit 1; }

# A delegated administrator, once trusted access is on.
aws organizations enable-aws-service-access --service-principal ram.amazonaws.com
aws organizations register-delegated-administrator --account-id "$dev" --service-principal ram.amazonaws.com
got=$(aws organizations list-delegated-administrators --service-principal ram.amazonaws.com --query 'DelegatedAdministrators[].Id' --output text)
[ "$got" = "$dev" ] || { echo "delegated administrators: $got"; exit 1; }

# Closing: SUSPENDED at once, still listed, the invitee's key refused.
aws organizations close-account --account-id "$inv"
got=$(aws organizations describe-account --account-id "$inv" --query Account.State --output text)
[ "$got" = SUSPENDED ] || { echo "closed account state: $got"; exit 1; }
if aws --profile org-invitee sts get-caller-identity 2>err.txt; then echo "closed account's key still works"; exit 1; fi
grep -q InvalidClientTokenId err.txt

echo "org cli ok: $org with OUs $eng $ops and accounts $dev $prod $inv"
