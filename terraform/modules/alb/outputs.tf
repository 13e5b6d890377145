output "dns_name" {
  value = aws_lb.this.dns_name
}

output "zone_id" {
  description = "For a Route 53 alias record."
  value       = aws_lb.this.zone_id
}

output "security_group_id" {
  value = aws_security_group.this.id
}

output "target_group_arn" {
  value = aws_lb_target_group.manager.arn
}

output "arn_suffix" {
  description = "The LoadBalancer dimension of the ALB's CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffix" {
  description = "The TargetGroup dimension of the ALB's CloudWatch metrics."
  value       = aws_lb_target_group.manager.arn_suffix
}
