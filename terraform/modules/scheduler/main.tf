resource "aws_scheduler_schedule_group" "this" {
  name = var.name_prefix
}

resource "aws_scheduler_schedule" "nightly_rescan" {
  name                         = "${var.name_prefix}-nightly-rescan"
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = "Sends the nightly rescan request to the launch queue"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.timezone
  state                        = var.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.launch_queue_arn
    role_arn = var.role_arn
    # The scheduled time makes each night's requestId unique, so a redelivered message launches nothing twice
    input = jsonencode({
      type      = "rescan"
      requestId = "nightly-<aws.scheduler.scheduled-time>"
      source    = var.source_uri
      version   = 1
    })

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 10
    }

    dead_letter_config {
      arn = var.dead_letter_queue_arn
    }
  }
}
