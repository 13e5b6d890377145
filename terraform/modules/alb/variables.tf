variable "name_prefix" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Public subnets (or private ones for an internal load balancer)."
  type        = list(string)
}

variable "internal" {
  description = "Reachable only from inside the VPC (and what is peered or connected to it)."
  type        = bool
  default     = false
}

variable "allowed_cidr_blocks" {
  description = "Client ranges allowed to reach the API on 443 (and 80, which only redirects)."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener."
  type        = string
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "target_port" {
  description = "The manager's HTTP port."
  type        = number
  default     = 8080
}

variable "target_security_group_ids" {
  description = "Security groups of the targets, which the load balancer may reach on target_port."
  type        = list(string)
}

variable "health_check_path" {
  description = "Answers 200 only when the manager can reach its job repository, without credentials: the actuator's health (every other path needs an API key or a token)."
  type        = string
  default     = "/actuator/health"
}

variable "deletion_protection" {
  type    = bool
  default = true
}
