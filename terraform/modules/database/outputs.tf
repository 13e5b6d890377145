output "cluster_identifier" {
  value = aws_rds_cluster.this.cluster_identifier
}

output "jdbc_url" {
  value = "jdbc:postgresql://${aws_rds_cluster.this.endpoint}:${aws_rds_cluster.this.port}/${var.database_name}"
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret with the username and password (JSON), rotated by RDS."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}
