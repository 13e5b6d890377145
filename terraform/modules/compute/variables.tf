variable "name" {
  description = "The Auto Scaling group's name (the IAM policies are scoped to it)."
  type        = string
}

variable "role" {
  description = "What the instances run: manager (API, launches, partitioning) or worker (analyses partitions)."
  type        = string
  validation {
    condition     = contains(["manager", "worker"], var.role)
    error_message = "role must be manager or worker."
  }
}

variable "vpc_id" {
  type = string
}

variable "vpc_cidr_block" {
  description = "The VPC's range; instances may reach PostgreSQL inside it."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the instances run in."
  type        = list(string)
}

variable "instance_type" {
  type = string
}

variable "ami_id" {
  description = "A Debian 12 AMI; null takes the newest official one (an AMI change rolls the group through an instance refresh)."
  type        = string
  default     = null
}

variable "instance_profile_name" {
  type = string
}

variable "min_size" {
  type = number
}

variable "max_size" {
  type = number
}

variable "desired_capacity" {
  description = "Initial size; null leaves it to scaling. Later changes by scaling are not reverted."
  type        = number
  default     = null
}

variable "volume_size_gb" {
  description = "Root volume size. Samples are streamed, but large ones spill to disk while analysed."
  type        = number
  default     = 30
}

variable "artifact_bucket" {
  description = "Bucket holding releases/<release>/trawl.jar and releases/<release>/config/."
  type        = string
}

variable "release_parameter_name" {
  description = "SSM parameter naming the release to run (the deploy stage writes it)."
  type        = string
}

variable "environment" {
  description = "Extra environment variables for the app (queue URLs, table prefix, database URL...)."
  type        = map(string)
  default     = {}
}

variable "app_port" {
  type    = number
  default = 8080
}

variable "ingress_security_group_ids" {
  description = "Security groups allowed to reach app_port (the ALB's, for the manager)."
  type        = list(string)
  default     = []
}

variable "target_group_arns" {
  description = "Load balancer target groups; when set, the group also uses their health checks."
  type        = list(string)
  default     = []
}

variable "refresh_min_healthy_percentage" {
  description = "Instance refresh: capacity kept in service while instances are replaced."
  type        = number
  default     = 100
}

variable "refresh_max_healthy_percentage" {
  description = "Instance refresh: how far above desired capacity the group may go while replacing (200 = launch before terminate)."
  type        = number
  default     = 200
}

variable "backlog_scaling" {
  description = "Scale on the backlog per instance of this queue, keeping it near the target. null: no scaling policy."
  type = object({
    queue_name                  = string
    target_backlog_per_instance = number
  })
  default = null
}
