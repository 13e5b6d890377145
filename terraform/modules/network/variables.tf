variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's address range; public subnets take /24s from its first /20, private subnets the following /20s."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "How many availability zones to spread the subnets over."
  type        = number
  default     = 2
  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6
    error_message = "az_count must be between 2 and 6: the ALB and Aurora need at least two zones."
  }
}

variable "nat_gateway" {
  description = "Create one NAT gateway for the private subnets. The instances need it to install Debian packages; with an AMI that has them baked in, set false and traffic to AWS stays on the endpoints."
  type        = bool
  default     = true
}
