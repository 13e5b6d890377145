variable "name_prefix" {
  type = string
}

variable "queue_names" {
  description = "launch, partitions => queue name."
  type        = map(string)
}

variable "dead_letter_queue_names" {
  description = "launch, partitions => dead-letter queue name."
  type        = map(string)
}

variable "manager_asg_name" {
  type = string
}

variable "worker_asg_name" {
  type = string
}

variable "alb_arn_suffix" {
  type = string
}

variable "target_group_arn_suffix" {
  type = string
}

variable "db_cluster_identifier" {
  type = string
}

variable "metrics_namespace" {
  description = "Namespace of the app's own metrics."
  type        = string
  default     = "Trawl"
}

variable "failed_jobs_metric" {
  description = "The app's count of jobs that ended FAILED."
  type        = string
  default     = "JobsFailed"
}

variable "worker_errors_metric" {
  description = "The app's count of errors on workers (a partition that failed, a sample that could not be analysed)."
  type        = string
  default     = "WorkerErrors"
}

variable "worker_errors_threshold" {
  description = "Worker errors in 15 minutes that raise the alarm. Some samples are expected to fail (corrupt archives)."
  type        = number
  default     = 100
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic; null to subscribe something else yourself."
  type        = string
  default     = null
}
