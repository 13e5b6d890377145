variable "region" {
  description = "AWS region of the whole stack."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every name: tables are <prefix>-events..., queues <prefix>-launch... (the app's aws profile must use the same)."
  type        = string
  default     = "trawl"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.name_prefix))
    error_message = "name_prefix must be 2 to 16 lowercase letters, digits or '-', starting with a letter (it ends up in bucket and load balancer names)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr_block" {
  type    = string
  default = "10.40.0.0/16"
}

variable "az_count" {
  type    = number
  default = 2
}

variable "nat_gateway" {
  description = "The instances install Debian packages at boot, which needs the NAT. With a pre-baked AMI it can go."
  type        = bool
  default     = true
}

variable "samples_prefix" {
  description = "Key prefix of the samples in the sample bucket; the nightly rescan covers it."
  type        = string
  default     = "samples/"
}

variable "github_repository" {
  description = "owner/name of the GitHub repository the pipeline builds."
  type        = string
}

variable "github_branch" {
  type    = string
  default = "main"
}

variable "certificate_arn" {
  description = "ACM certificate (in this region) for the API's HTTPS listener."
  type        = string
}

variable "api_allowed_cidr_blocks" {
  description = "Client ranges allowed to reach the API. There is no default: choose who may start and read jobs."
  type        = list(string)
}

variable "api_internal" {
  description = "Put the load balancer in the private subnets, reachable from the VPC and connected networks only."
  type        = bool
  default     = false
}

variable "manager_instance_type" {
  type    = string
  default = "t3.large"
}

variable "worker_instance_type" {
  description = "Analysis is CPU-bound (hashes, YARA, archives): compute-optimised instances."
  type        = string
  default     = "c6i.2xlarge"
}

variable "worker_max_size" {
  description = "Most workers a rescan may use; caps the cost and the write rate on the tables."
  type        = number
  default     = 20
}

variable "backlog_per_worker" {
  description = "Partition requests waiting per worker that the scaling policy aims for."
  type        = number
  default     = 4
}

variable "db_min_capacity" {
  type    = number
  default = 0.5
}

variable "db_max_capacity" {
  type    = number
  default = 8
}

variable "rescan_schedule" {
  description = "When the nightly rescan starts (EventBridge Scheduler cron)."
  type        = string
  default     = "cron(0 2 * * ? *)"
}

variable "rescan_timezone" {
  type    = string
  default = "UTC"
}

variable "alarm_email" {
  description = "Address that receives the alarms; null for none."
  type        = string
  default     = null
}

variable "partitions_per_job" {
  description = "Partitions each rescan is split into for the workers (TRAWL_GRID_SIZE): a few per worker core at full scale."
  type        = number
  default     = 64
}

variable "oidc_callback_urls" {
  description = "Where the user pool's sign-in may return people (the CLI's loopback listener, a web page)."
  type        = list(string)
  default     = ["http://localhost:8400/callback"]
}
