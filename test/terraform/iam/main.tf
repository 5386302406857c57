# IAM as a Terraform module would use it: a user with a key and inline
# policy, a group with a managed policy and members, a role with a trust
# policy, an inline policy and an attached managed policy.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_iam_user" "issuer" {
  name = "tf-issuer"
  path = "/pki/"
  tags = { team = "pki" }

  # Delete whatever else the user owns (keys, MFA, login profile, ...).
  force_destroy = true
}

resource "aws_iam_access_key" "issuer" {
  user = aws_iam_user.issuer.name
}

resource "aws_iam_user_policy" "issuer" {
  name = "describe-cas"
  user = aws_iam_user.issuer.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["acm-pca:DescribeCertificateAuthority", "acm-pca:ListCertificateAuthorities"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_group" "operators" {
  name = "tf-operators"
  path = "/pki/"
}

resource "aws_iam_group_membership" "operators" {
  name  = "tf-operators-membership"
  group = aws_iam_group.operators.name
  users = [aws_iam_user.issuer.name]
}

resource "aws_iam_policy" "issue" {
  name        = "tf-issue-certificates"
  path        = "/pki/"
  description = "Issue and fetch certificates from any CA in the account"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["acm-pca:IssueCertificate", "acm-pca:GetCertificate"]
      Resource = "arn:${data.aws_partition.current.partition}:acm-pca:*:${data.aws_caller_identity.current.account_id}:certificate-authority/*"
    }]
  })
  tags = { team = "pki" }
}

resource "aws_iam_group_policy_attachment" "operators" {
  group      = aws_iam_group.operators.name
  policy_arn = aws_iam_policy.issue.arn
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_iam_role" "issuer" {
  name                 = "tf-issuer-role"
  path                 = "/pki/"
  description          = "Assumed by the account to issue certificates"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 7200
  tags                 = { team = "pki" }
}

resource "aws_iam_role_policy_attachment" "issuer" {
  role       = aws_iam_role.issuer.name
  policy_arn = aws_iam_policy.issue.arn
}

resource "aws_iam_role_policy" "issuer" {
  name = "list-cas"
  role = aws_iam_role.issuer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "acm-pca:ListCertificateAuthorities"
      Resource = "*"
    }]
  })
}

output "access_key_id" {
  value = aws_iam_access_key.issuer.id
}

output "role_arn" {
  value = aws_iam_role.issuer.arn
}
