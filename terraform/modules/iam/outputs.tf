output "manager_instance_profile_name" {
  value = aws_iam_instance_profile.manager.name
}

output "worker_instance_profile_name" {
  value = aws_iam_instance_profile.worker.name
}

output "role_arns" {
  description = "part (manager, worker, codebuild, deploy, codepipeline, scheduler) => role ARN."
  value       = { for part, role in aws_iam_role.this : part => role.arn }
}
