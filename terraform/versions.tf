terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }

  # State in S3 with native locking; pass bucket, key and region with -backend-config (docs/deploy.md)
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
