variable "name_prefix" {
  type = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository to build."
  type        = string
}

variable "branch" {
  type    = string
  default = "main"
}

variable "artifact_bucket" {
  description = "Bucket for pipeline artifacts and for the releases the instances run."
  type        = string
}

variable "artifact_kms_key_arn" {
  type = string
}

variable "codepipeline_role_arn" {
  type = string
}

variable "codebuild_role_arn" {
  type = string
}

variable "deploy_role_arn" {
  type = string
}

variable "build_image" {
  description = "The build container: Debian 12, like the instances, so apt-get gives the same libyara9 (and libfuzzy2, the tests' ssdeep reference)."
  type        = string
  default     = "public.ecr.aws/docker/library/debian:bookworm"
}

variable "build_compute_type" {
  type    = string
  default = "BUILD_GENERAL1_MEDIUM"
}

variable "manager_asg_name" {
  type = string
}

variable "manager_refresh_preferences" {
  description = "Instance refresh preferences (AutoScaling API JSON) for the manager group."
  type        = string
}

variable "worker_asg_name" {
  type = string
}

variable "worker_refresh_preferences" {
  type = string
}

variable "refresh_timeout_minutes" {
  description = "How long the deploy stage waits for both instance refreshes to finish."
  type        = number
  default     = 60
}
