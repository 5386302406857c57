# A two-tier private PKI as the provider's documentation builds it: a ROOT
# CA with CRL and OCSP that installs its own certificate (RootCACertificate
# template), a SUBORDINATE CA signed by the root, a leaf issued by the
# subordinate for a CSR made outside Terraform, a resource policy on the
# root and a permission for ACM on the subordinate.

variable "leaf_csr" {
  description = "PEM CSR for the leaf certificate (the runner makes it with openssl)"
  type        = string
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  template = "arn:${data.aws_partition.current.partition}:acm-pca:::template"
}

resource "aws_acmpca_certificate_authority" "root" {
  type = "ROOT"

  certificate_authority_configuration {
    key_algorithm     = "RSA_2048"
    signing_algorithm = "SHA256WITHRSA"

    subject {
      common_name  = "OpenPCA Terraform Root CA"
      organization = "OpenPCA"
      country      = "US"
    }
  }

  revocation_configuration {
    crl_configuration {
      enabled            = true
      expiration_in_days = 7
      custom_cname       = "crl.pki.example.com"
      s3_bucket_name     = "openpca-tf-crl"
      s3_object_acl      = "BUCKET_OWNER_FULL_CONTROL"
    }
    ocsp_configuration {
      enabled = true
    }
  }

  permanent_deletion_time_in_days = 7
  tags                            = { tier = "root" }
}

resource "aws_acmpca_certificate" "root" {
  certificate_authority_arn   = aws_acmpca_certificate_authority.root.arn
  certificate_signing_request = aws_acmpca_certificate_authority.root.certificate_signing_request
  signing_algorithm           = "SHA256WITHRSA"
  template_arn                = "${local.template}/RootCACertificate/V1"

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

resource "aws_acmpca_certificate_authority" "subordinate" {
  type = "SUBORDINATE"

  certificate_authority_configuration {
    key_algorithm     = "EC_prime256v1"
    signing_algorithm = "SHA256WITHECDSA"

    subject {
      common_name  = "OpenPCA Terraform Issuing CA"
      organization = "OpenPCA"
    }
  }

  revocation_configuration {
    ocsp_configuration {
      enabled = true
    }
  }

  permanent_deletion_time_in_days = 7
  tags                            = { tier = "issuing" }
}

resource "aws_acmpca_certificate" "subordinate" {
  certificate_authority_arn   = aws_acmpca_certificate_authority.root.arn
  certificate_signing_request = aws_acmpca_certificate_authority.subordinate.certificate_signing_request
  signing_algorithm           = "SHA256WITHRSA"
  template_arn                = "${local.template}/SubordinateCACertificate_PathLen0/V1"

  validity {
    type  = "YEARS"
    value = 5
  }

  # The root must be ACTIVE before it can sign.
  depends_on = [aws_acmpca_certificate_authority_certificate.root]
}

resource "aws_acmpca_certificate_authority_certificate" "subordinate" {
  certificate_authority_arn = aws_acmpca_certificate_authority.subordinate.arn
  certificate               = aws_acmpca_certificate.subordinate.certificate
  certificate_chain         = aws_acmpca_certificate.subordinate.certificate_chain
}

resource "aws_acmpca_certificate" "leaf" {
  certificate_authority_arn   = aws_acmpca_certificate_authority.subordinate.arn
  certificate_signing_request = var.leaf_csr
  signing_algorithm           = "SHA256WITHECDSA"
  template_arn                = "${local.template}/EndEntityCertificate/V1"

  validity {
    type  = "DAYS"
    value = 30
  }

  depends_on = [aws_acmpca_certificate_authority_certificate.subordinate]
}

data "aws_iam_policy_document" "root_ca" {
  statement {
    sid       = "ReadCA"
    actions   = ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate", "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions", "acm-pca:ListTags"]
    resources = [aws_acmpca_certificate_authority.root.arn]
    principals {
      type        = "AWS"
      identifiers = [data.aws_caller_identity.current.account_id]
    }
  }
  statement {
    sid       = "IssueEndEntity"
    actions   = ["acm-pca:IssueCertificate"]
    resources = [aws_acmpca_certificate_authority.root.arn]
    principals {
      type        = "AWS"
      identifiers = [data.aws_caller_identity.current.account_id]
    }
    condition {
      test     = "StringEquals"
      variable = "acm-pca:TemplateArn"
      values   = ["${local.template}/EndEntityCertificate/V1"]
    }
  }
}

resource "aws_acmpca_policy" "root" {
  resource_arn = aws_acmpca_certificate_authority.root.arn
  policy       = data.aws_iam_policy_document.root_ca.json
}

resource "aws_acmpca_permission" "acm" {
  certificate_authority_arn = aws_acmpca_certificate_authority.subordinate.arn
  actions                   = ["IssueCertificate", "GetCertificate", "ListPermissions"]
  principal                 = "acm.amazonaws.com"

  # Permissions change only while the CA is ACTIVE.
  depends_on = [aws_acmpca_certificate_authority_certificate.subordinate]
}

output "root_ca_arn" {
  value = aws_acmpca_certificate_authority.root.arn
}

output "leaf_certificate_arn" {
  value = aws_acmpca_certificate.leaf.arn
}
