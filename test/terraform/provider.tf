# The provider pointed at OpenPCA: only the endpoints block and the
# credentials; no skip_* flag. The runner copies this file into each
# configuration's working directory.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  description = "OpenPCA's URL, e.g. http://127.0.0.1:8420"
  type        = string
}

variable "region" {
  type    = string
  default = "us-east-1"
}

provider "aws" {
  region = var.region
  # Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or a
  # profile that OpenPCA wrote).

  endpoints {
    iam           = var.endpoint
    sts           = var.endpoint
    organizations = var.endpoint
    acmpca        = var.endpoint
    ram           = var.endpoint
    acm           = var.endpoint
  }
}
