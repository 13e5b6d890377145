variable "name_prefix" {
  description = "Table names are <name_prefix>-<table>; the app's trawl.dynamodb prefix must match."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key the tables are encrypted with."
  type        = string
}
