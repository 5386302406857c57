# A private certificate from ACM: a ROOT CA (as in the acmpca
# configuration) that lets ACM issue and renew through it, and an
# aws_acm_certificate requested from that CA with an EC key, extra names,
# tags and an early renewal window.

data "aws_partition" "current" {}

resource "aws_acmpca_certificate_authority" "root" {
  type = "ROOT"

  certificate_authority_configuration {
    key_algorithm     = "RSA_2048"
    signing_algorithm = "SHA256WITHRSA"

    subject {
      common_name  = "OpenPCA Terraform ACM Root CA"
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

# ACM issues (and later renews) through the CA under this permission.
resource "aws_acmpca_permission" "acm" {
  certificate_authority_arn = aws_acmpca_certificate_authority.root.arn
  actions                   = ["IssueCertificate", "GetCertificate", "ListPermissions"]
  principal                 = "acm.amazonaws.com"

  depends_on = [aws_acmpca_certificate_authority_certificate.root]
}

resource "aws_acm_certificate" "www" {
  domain_name               = "www.acm.example.com"
  subject_alternative_names = ["api.acm.example.com", "www.acm.example.com"]
  certificate_authority_arn = aws_acmpca_certificate_authority.root.arn
  key_algorithm             = "EC_prime256v1"
  # Client-side: the provider renews (RenewCertificate) once the
  # certificate is this close to NotAfter.
  early_renewal_duration = "P30D"
  tags                   = { team = "pki", env = "test" }

  depends_on = [aws_acmpca_permission.acm]
}

output "certificate_arn" {
  value = aws_acm_certificate.www.arn
}
