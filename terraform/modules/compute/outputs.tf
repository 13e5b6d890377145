output "asg_name" {
  value = aws_autoscaling_group.this.name
}

output "security_group_id" {
  value = aws_security_group.this.id
}

output "instance_refresh_preferences" {
  description = "The instance refresh preferences as the AutoScaling API takes them, so deploys refresh the way Terraform does."
  value = jsonencode({
    MinHealthyPercentage      = var.refresh_min_healthy_percentage
    MaxHealthyPercentage      = var.refresh_max_healthy_percentage
    InstanceWarmup            = local.instance_warmup_seconds
    ScaleInProtectedInstances = "Wait"
    SkipMatching              = false
  })
}
