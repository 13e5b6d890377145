output "connection_arn" {
  description = "Confirm this connection once in the console (Developer Tools > Connections) before the first run."
  value       = aws_codestarconnections_connection.github.arn
}

output "pipeline_name" {
  value = aws_codepipeline.this.name
}

output "build_project_name" {
  value = aws_codebuild_project.build.name
}

output "deploy_project_name" {
  value = aws_codebuild_project.deploy.name
}

output "release_parameter_name" {
  value = aws_ssm_parameter.release.name
}

output "release_parameter_arn" {
  value = aws_ssm_parameter.release.arn
}

output "build_project_arn" {
  value = aws_codebuild_project.build.arn
}

output "deploy_project_arn" {
  value = aws_codebuild_project.deploy.arn
}

output "log_group_arns" {
  description = "build, deploy => CodeBuild log group ARN."
  value = {
    build  = aws_cloudwatch_log_group.build.arn
    deploy = aws_cloudwatch_log_group.deploy.arn
  }
}

output "artifact_prefix" {
  description = "CodePipeline keeps its artifacts under the first 20 characters of the pipeline's name."
  value       = substr(local.names.pipeline, 0, 20)
}
