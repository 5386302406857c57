# A root CA shared with an OU of the organization through RAM: sharing
# with the organization is enabled (trusted access for RAM and its
# service-linked role), so no invitation is needed.

data "aws_partition" "current" {}

resource "aws_organizations_organization" "this" {
  feature_set = "ALL"
  # aws_ram_sharing_with_organization enables this one; listing it keeps
  # the organization from drifting.
  aws_service_access_principals = ["ram.amazonaws.com"]
}

resource "aws_organizations_organizational_unit" "pki" {
  name      = "pki-consumers"
  parent_id = aws_organizations_organization.this.roots[0].id
}

resource "aws_ram_sharing_with_organization" "this" {
  depends_on = [aws_organizations_organization.this]
}

resource "aws_acmpca_certificate_authority" "root" {
  type = "ROOT"

  certificate_authority_configuration {
    key_algorithm     = "RSA_2048"
    signing_algorithm = "SHA256WITHRSA"

    subject {
      common_name  = "OpenPCA Terraform Shared Root CA"
      organization = "OpenPCA"
    }
  }

  permanent_deletion_time_in_days = 7
}

resource "aws_acmpca_certificate" "root" {
  certificate_authority_arn   = aws_acmpca_certificate_authority.root.arn
  certificate_signing_request = aws_acmpca_certificate_authority.root.certificate_signing_request
  signing_algorithm           = "SHA256WITHRSA"
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
  name                      = "tf-shared-root-ca"
  allow_external_principals = false
  tags                      = { team = "pki" }

  depends_on = [aws_ram_sharing_with_organization.this]
}

resource "aws_ram_resource_association" "ca" {
  resource_share_arn = aws_ram_resource_share.ca.arn
  resource_arn       = aws_acmpca_certificate_authority.root.arn

  depends_on = [aws_acmpca_certificate_authority_certificate.root]
}

resource "aws_ram_principal_association" "ou" {
  resource_share_arn = aws_ram_resource_share.ca.arn
  principal          = aws_organizations_organizational_unit.pki.arn
}

output "resource_share_arn" {
  value = aws_ram_resource_share.ca.arn
}
