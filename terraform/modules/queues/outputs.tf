output "queue_arns" {
  description = "launch, partitions => queue ARN."
  value       = { for key, queue in aws_sqs_queue.this : key => queue.arn }
}

output "queue_urls" {
  value = { for key, queue in aws_sqs_queue.this : key => queue.url }
}

output "queue_names" {
  value = { for key, queue in aws_sqs_queue.this : key => queue.name }
}

output "dlq_arns" {
  value = { for key, queue in aws_sqs_queue.dlq : key => queue.arn }
}

output "dlq_names" {
  value = { for key, queue in aws_sqs_queue.dlq : key => queue.name }
}

output "dlq_urls" {
  description = "launch, partitions => dead-letter queue URL (the app moves invalid messages there with the reason)."
  value       = { for key, queue in aws_sqs_queue.dlq : key => queue.url }
}
