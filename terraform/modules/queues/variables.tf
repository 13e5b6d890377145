variable "name_prefix" {
  description = "Queue names are <name_prefix>-launch, <name_prefix>-partitions and their -dlq twins."
  type        = string
}

variable "launch_visibility_timeout_seconds" {
  description = "How long a launch message stays hidden while the manager starts the job."
  type        = number
  default     = 300
}

variable "partition_visibility_timeout_seconds" {
  description = "How long a partition request stays hidden while a worker processes it (the worker extends it while busy)."
  type        = number
  default     = 1800
}

variable "max_receive_count" {
  description = "Deliveries before a message moves to its dead-letter queue."
  type        = number
  default     = 5
}
