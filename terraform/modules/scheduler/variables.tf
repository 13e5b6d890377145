variable "name_prefix" {
  type = string
}

variable "launch_queue_arn" {
  type = string
}

variable "dead_letter_queue_arn" {
  description = "Where the scheduler puts a launch message it could not deliver (the launch DLQ, which is alarmed)."
  type        = string
}

variable "role_arn" {
  description = "Role the scheduler assumes to send the message."
  type        = string
}

variable "schedule_expression" {
  description = "When the nightly rescan starts, as an EventBridge Scheduler cron() expression."
  type        = string
  default     = "cron(0 2 * * ? *)"
}

variable "timezone" {
  type    = string
  default = "UTC"
}

variable "source_uri" {
  description = "The samples to rescan, e.g. s3://bucket/samples/."
  type        = string
}

variable "enabled" {
  type    = bool
  default = true
}
