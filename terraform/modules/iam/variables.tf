variable "name_prefix" {
  type = string
}

variable "samples_bucket_arn" {
  type = string
}

variable "data_kms_key_arn" {
  description = "Key of the samples, the tables, the job repository and its secret."
  type        = string
}

variable "artifact_bucket_arn" {
  type = string
}

variable "artifact_kms_key_arn" {
  type = string
}

variable "pipeline_artifact_prefix" {
  description = "Key prefix under which CodePipeline keeps its artifacts in the artifact bucket."
  type        = string
}

variable "table_arns" {
  type = list(string)
}

variable "queue_arns" {
  description = "launch, partitions => queue ARN."
  type        = map(string)
}

variable "dead_letter_queue_arns" {
  description = "launch, partitions => dead-letter queue ARN."
  type        = map(string)
}

variable "db_secret_arn" {
  type = string
}

variable "release_parameter_arn" {
  type = string
}

variable "manager_asg_name" {
  type = string
}

variable "worker_asg_name" {
  type = string
}

variable "connection_arn" {
  description = "The CodeStar connection to GitHub."
  type        = string
}

variable "build_project_arn" {
  type = string
}

variable "deploy_project_arn" {
  type = string
}

variable "log_group_arns" {
  description = "build, deploy => CodeBuild log group ARN."
  type        = map(string)
}

variable "metrics_namespace" {
  description = "The only CloudWatch namespace the instances may publish to."
  type        = string
}
