# An organization with SCPs enabled, an OU, a member account created in it
# and a service control policy attached to the OU.

resource "aws_organizations_organization" "this" {
  feature_set                   = "ALL"
  enabled_policy_types          = ["SERVICE_CONTROL_POLICY"]
  aws_service_access_principals = ["ram.amazonaws.com"]
}

resource "aws_organizations_organizational_unit" "pki" {
  name      = "pki"
  parent_id = aws_organizations_organization.this.roots[0].id
  tags      = { team = "pki" }
}

resource "aws_organizations_account" "workload" {
  name      = "tf-workload"
  email     = "tf-workload@example.com"
  parent_id = aws_organizations_organizational_unit.pki.id
  tags      = { team = "pki" }
}

resource "aws_organizations_policy" "no_ca_deletion" {
  name        = "tf-no-ca-deletion"
  description = "Members may not delete certificate authorities"
  type        = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Deny"
      Action   = "acm-pca:DeleteCertificateAuthority"
      Resource = "*"
    }]
  })
  tags = { team = "pki" }

  # SCPs exist only inside an organization with the type enabled.
  depends_on = [aws_organizations_organization.this]
}

resource "aws_organizations_policy_attachment" "pki" {
  policy_id = aws_organizations_policy.no_ca_deletion.id
  target_id = aws_organizations_organizational_unit.pki.id
}

output "organization_id" {
  value = aws_organizations_organization.this.id
}

output "account_id" {
  value = aws_organizations_account.workload.id
}
