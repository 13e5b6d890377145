variable "name_prefix" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Private subnets for the cluster (two zones at least)."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (the manager and the workers)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer-managed key for the storage, the master password secret and Performance Insights."
  type        = string
}

variable "engine_version" {
  description = "Aurora PostgreSQL version (a release that supports Serverless v2)."
  type        = string
  default     = "16.6"
}

variable "min_capacity" {
  description = "Minimum Aurora capacity units. 0.5 keeps a small warm floor for the job repository."
  type        = number
  default     = 0.5
}

variable "max_capacity" {
  description = "Maximum Aurora capacity units. The job repository is small; the peak is many workers updating step executions."
  type        = number
  default     = 8
}

variable "instance_count" {
  description = "Serverless v2 instances; 2 adds a reader in another zone that Aurora fails over to."
  type        = number
  default     = 1
}

variable "database_name" {
  type    = string
  default = "trawl"
}

variable "master_username" {
  type    = string
  default = "trawl"
}

variable "backup_retention_days" {
  type    = number
  default = 7
}
