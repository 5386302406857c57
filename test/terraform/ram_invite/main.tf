# A root CA shared with one account by invitation: the management account
# creates a member account, shares the CA with it (organization sharing
# is off, so RAM sends an invitation) and the member, through a second
# provider that assumes OrganizationAccountAccessRole, accepts it.

data "aws_partition" "current" {}

resource "aws_organizations_organization" "this" {
  feature_set = "ALL"
}

resource "aws_organizations_account" "consumer" {
  name      = "tf-pki-consumer"
  email     = "tf-pki-consumer@example.com"
  role_name = "OrganizationAccountAccessRole"
  # Destroy removes it from the organization (a closed account would stay
  # in it, SUSPENDED, and keep the organization from being deleted).

  depends_on = [aws_organizations_organization.this]
}

# Roles may not be assumed with root credentials (the runner's), so the
# consumer provider signs as an administrator user of the management
# account; its key exists only once the user may call sts:AssumeRole.
resource "aws_iam_user" "deployer" {
  name          = "tf-deployer"
  force_destroy = true
}

resource "aws_iam_user_policy" "deployer" {
  name = "assume-member-access"
  user = aws_iam_user.deployer.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = "arn:${data.aws_partition.current.partition}:iam::*:role/OrganizationAccountAccessRole"
    }]
  })
}

resource "aws_iam_access_key" "deployer" {
  user       = aws_iam_user.deployer.name
  depends_on = [aws_iam_user_policy.deployer]
}

provider "aws" {
  alias      = "consumer"
  region     = var.region
  access_key = aws_iam_access_key.deployer.id
  secret_key = aws_iam_access_key.deployer.secret

  assume_role {
    role_arn     = "arn:${data.aws_partition.current.partition}:iam::${aws_organizations_account.consumer.id}:role/OrganizationAccountAccessRole"
    session_name = "terraform"
  }

  endpoints {
    iam           = var.endpoint
    sts           = var.endpoint
    organizations = var.endpoint
    acmpca        = var.endpoint
    ram           = var.endpoint
    acm           = var.endpoint
  }
}

resource "aws_acmpca_certificate_authority" "root" {
  type = "ROOT"

  certificate_authority_configuration {
    key_algorithm     = "EC_prime256v1"
    signing_algorithm = "SHA256WITHECDSA"

    subject {
      common_name  = "OpenPCA Terraform Invited Root CA"
      organization = "OpenPCA"
    }
  }

  permanent_deletion_time_in_days = 7
}

resource "aws_acmpca_certificate" "root" {
  certificate_authority_arn   = aws_acmpca_certificate_authority.root.arn
  certificate_signing_request = aws_acmpca_certificate_authority.root.certificate_signing_request
  signing_algorithm           = "SHA256WITHECDSA"
  template_arn                = "arn:${data.aws_partition.current.partition}:acm-pca:::template/RootCACertificate/V1"

  validity {
    type  = "YEARS"
    value = 10
  }
}

resource "aws_acmpca_certificate_authority_certificate" "root" {
  certificate_authority_arn = aws_acmpca_certificate_authority.root.arn
  certificate               = aws_acmpca_certificate.root.certificate
  certificate_chain         = aws_acmpca_certificate.root.certificate_chain
}

resource "aws_ram_resource_share" "ca" {
  name                      = "tf-invited-root-ca"
  allow_external_principals = true
}

resource "aws_ram_resource_association" "ca" {
  resource_share_arn = aws_ram_resource_share.ca.arn
  resource_arn       = aws_acmpca_certificate_authority.root.arn

  depends_on = [aws_acmpca_certificate_authority_certificate.root]
}

resource "aws_ram_principal_association" "consumer" {
  resource_share_arn = aws_ram_resource_share.ca.arn
  principal          = aws_organizations_account.consumer.id
}

resource "aws_ram_resource_share_accepter" "consumer" {
  provider  = aws.consumer
  share_arn = aws_ram_principal_association.consumer.resource_share_arn

  depends_on = [aws_ram_resource_association.ca]
}

output "accepted_share" {
  value = aws_ram_resource_share_accepter.consumer.status
}
