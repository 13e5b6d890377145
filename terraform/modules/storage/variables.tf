variable "bucket_name" {
  description = "The bucket's globally unique name."
  type        = string
}

variable "purpose" {
  description = "What the bucket holds, for the KMS key's description."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 30
}

variable "expirations" {
  description = "Key prefix => days after which current objects under it expire (for transient data such as pipeline artifacts)."
  type        = map(number)
  default     = {}
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a non-empty bucket. Leave false for samples."
  type        = bool
  default     = false
}
