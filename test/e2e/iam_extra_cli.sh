#!/usr/bin/env bash
# The IAM objects Terraform and other clients meet on their way, through the
# real `aws iam` CLI (botocore parses every answer by the model): an
# instance profile around a role, a user's SSH key, signing certificate,
# service-specific credential and console password, and the account
# password policy; then both destroy paths.
set -euo pipefail
eval "$OPENPCA_EXPORTS"
cd "$(mktemp -d)"

trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
aws iam create-role --role-name web --assume-role-policy-document "$trust" >/dev/null
ipid=$(aws iam create-instance-profile --instance-profile-name web --path /app/ --query InstanceProfile.InstanceProfileId --output text)
[[ "$ipid" =~ ^AIPA[A-Z2-7]{17}$ ]] || { echo "bad instance profile id: $ipid"; exit 1; }
aws iam add-role-to-instance-profile --instance-profile-name web --role-name web
[ "$(aws iam get-instance-profile --instance-profile-name web --query 'InstanceProfile.Roles[0].RoleName' --output text)" = web ]
# The CLI decodes the URL-encoded trust policy of the profile's role.
[ "$(aws iam list-instance-profiles-for-role --role-name web --query 'InstanceProfiles[0].Roles[0].AssumeRolePolicyDocument.Statement[0].Principal.Service' --output text)" = ec2.amazonaws.com ]
if aws iam delete-role --role-name web 2>err.txt; then echo "role in a profile deleted"; exit 1; fi
grep -q DeleteConflict err.txt

aws iam create-user --user-name dev >/dev/null
openssl genrsa -out key.pem 2048 2>/dev/null
openssl rsa -in key.pem -pubout -out pub.pem 2>/dev/null
kid=$(aws iam upload-ssh-public-key --user-name dev --ssh-public-key-body file://pub.pem --query SSHPublicKey.SSHPublicKeyId --output text)
want=$(ssh-keygen -i -m PKCS8 -f pub.pem | ssh-keygen -E md5 -l -f - | awk '{print $2}')
got=$(aws iam get-ssh-public-key --user-name dev --ssh-public-key-id "$kid" --encoding SSH --query SSHPublicKey.Fingerprint --output text)
[ "MD5:$got" = "$want" ] || { echo "fingerprint $got, ssh-keygen says $want"; exit 1; }
openssl req -x509 -new -key key.pem -subj /CN=dev -days 2 -out cert.pem 2>/dev/null
aws iam upload-signing-certificate --user-name dev --certificate-body file://cert.pem >/dev/null
aws iam create-service-specific-credential --user-name dev --service-name codecommit.amazonaws.com >/dev/null
aws iam update-account-password-policy --minimum-password-length 12 --require-numbers
if aws iam create-login-profile --user-name dev --password short1 2>err.txt; then echo "weak password accepted"; exit 1; fi
grep -q PasswordPolicyViolation err.txt
aws iam create-login-profile --user-name dev --password 'long-enough-password-1' --password-reset-required >/dev/null
[ "$(aws iam get-login-profile --user-name dev --query LoginProfile.PasswordResetRequired --output text)" = True ]
[ "$(aws iam get-account-password-policy --query PasswordPolicy.MinimumPasswordLength --output text)" = 12 ]

# aws_iam_role destroy: take the role out of every profile, then delete.
for p in $(aws iam list-instance-profiles-for-role --role-name web --query 'InstanceProfiles[].InstanceProfileName' --output text); do
  aws iam remove-role-from-instance-profile --instance-profile-name "$p" --role-name web
done
aws iam delete-role --role-name web
aws iam delete-instance-profile --instance-profile-name web

# aws_iam_user force_destroy.
if aws iam delete-user --user-name dev 2>err.txt; then echo "user with credentials deleted"; exit 1; fi
grep -q DeleteConflict err.txt
aws iam delete-login-profile --user-name dev
for k in $(aws iam list-ssh-public-keys --user-name dev --query 'SSHPublicKeys[].SSHPublicKeyId' --output text); do
  aws iam delete-ssh-public-key --user-name dev --ssh-public-key-id "$k"
done
for c in $(aws iam list-signing-certificates --user-name dev --query 'Certificates[].CertificateId' --output text); do
  aws iam delete-signing-certificate --user-name dev --certificate-id "$c"
done
for c in $(aws iam list-service-specific-credentials --user-name dev --query 'ServiceSpecificCredentials[].ServiceSpecificCredentialId' --output text); do
  aws iam delete-service-specific-credential --user-name dev --service-specific-credential-id "$c"
done
aws iam delete-user --user-name dev
aws iam delete-account-password-policy
echo "iam extras OK"
