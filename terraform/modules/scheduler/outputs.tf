output "schedule_name" {
  value = aws_scheduler_schedule.nightly_rescan.name
}

output "schedule_group" {
  value = aws_scheduler_schedule_group.this.name
}
