# The rest of what Organizations users manage with Terraform: every common
# policy type enabled, a resource control policy on the root, a tag policy
# on an OU, a delegated administrator (a member account created here).

resource "aws_organizations_organization" "this" {
  feature_set = "ALL"
  enabled_policy_types = [
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
  ]
  aws_service_access_principals = [
    "member.org.stacksets.cloudformation.amazonaws.com",
    "ram.amazonaws.com",
  ]
}

resource "aws_organizations_organizational_unit" "workloads" {
  name      = "workloads"
  parent_id = aws_organizations_organization.this.roots[0].id
}

# Removed from the organization when destroyed. (close_on_deletion would
# leave it SUSPENDED in the organization, as AWS does for 90 days, and the
# organization destroyed in the same run could then not be deleted, on AWS
# as here; CloseAccount is covered by test/e2e/org_cli.sh.)
resource "aws_organizations_account" "tooling" {
  name      = "tf-tooling"
  email     = "tf-tooling@example.com"
  parent_id = aws_organizations_organization.this.roots[0].id
}

resource "aws_organizations_delegated_administrator" "stacksets" {
  account_id        = aws_organizations_account.tooling.id
  service_principal = "member.org.stacksets.cloudformation.amazonaws.com"
}

resource "aws_organizations_policy" "pca_in_org_only" {
  name        = "tf-pca-in-org-only"
  description = "Only principals of this organization may use its CAs"
  type        = "RESOURCE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "acm-pca:*"
      Resource  = "*"
      Condition = {
        StringNotEqualsIfExists = { "aws:PrincipalOrgID" = aws_organizations_organization.this.id }
        BoolIfExists            = { "aws:PrincipalIsAWSService" = "false" }
      }
    }]
  })
}

resource "aws_organizations_policy_attachment" "root_rcp" {
  policy_id = aws_organizations_policy.pca_in_org_only.id
  target_id = aws_organizations_organization.this.roots[0].id
}

resource "aws_organizations_policy" "cost_center" {
  name = "tf-cost-center"
  type = "TAG_POLICY"
  content = jsonencode({
    tags = {
      costcenter = {
        tag_key = { "@@assign" = "CostCenter" }
      }
    }
  })

  depends_on = [aws_organizations_organization.this]
}

resource "aws_organizations_policy_attachment" "workloads_tags" {
  policy_id = aws_organizations_policy.cost_center.id
  target_id = aws_organizations_organizational_unit.workloads.id
}
