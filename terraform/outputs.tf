output "api_url" {
  description = "The manager's API behind the load balancer; point a DNS name that matches the certificate at api_dns_name."
  value       = "https://${module.alb.dns_name}"
}

output "api_dns_name" {
  value = module.alb.dns_name
}

output "api_zone_id" {
  value = module.alb.zone_id
}

output "samples_bucket" {
  value = module.samples.bucket
}

output "artifact_bucket" {
  value = module.artifacts.bucket
}

output "launch_queue_url" {
  description = "Send a launch message here to start a rescan."
  value       = module.queues.queue_urls["launch"]
}

output "partitions_queue_url" {
  value = module.queues.queue_urls["partitions"]
}

output "table_names" {
  value = module.tables.table_names
}

output "db_secret_arn" {
  value = module.database.master_user_secret_arn
}

output "codestar_connection_arn" {
  description = "Confirm it once in the console (Developer Tools > Settings > Connections) before the first pipeline run."
  value       = module.pipeline.connection_arn
}

output "pipeline_name" {
  value = module.pipeline.pipeline_name
}

output "release_parameter" {
  value = module.pipeline.release_parameter_name
}

output "manager_asg_name" {
  value = module.manager.asg_name
}

output "worker_asg_name" {
  value = module.workers.asg_name
}

output "dashboard_name" {
  value = module.monitoring.dashboard_name
}

output "alarm_topic_arn" {
  value = module.monitoring.alarm_topic_arn
}

output "nightly_schedule" {
  value = "${module.scheduler.schedule_group}/${module.scheduler.schedule_name}"
}

output "oidc_issuer" {
  description = "The user pool the app trusts; add people to its groups viewer, operator or admin."
  value       = module.identity.issuer_url
}

output "oidc_client_id" {
  value = module.identity.client_id
}
