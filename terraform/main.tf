# Trawl on AWS: the root example wiring the modules together. docs/deploy.md walks through applying it.

provider "aws" {
  region = var.region
  default_tags {
    tags = merge({ Project = "trawl", ManagedBy = "terraform" }, var.tags)
  }
}

data "aws_caller_identity" "current" {}

locals {
  # Bucket names are global: the account and region keep them unique
  bucket_suffix     = "${data.aws_caller_identity.current.account_id}-${var.region}"
  asg_names         = { manager = "${var.name_prefix}-manager", worker = "${var.name_prefix}-worker" }
  metrics_namespace = "Trawl"

  # The environment the app's aws profile reads (docs/deploy.md lists it)
  # The names the application reads (config/application-aws.yml)
  app_environment = {
    TRAWL_SAMPLES_BUCKET        = module.samples.bucket
    TRAWL_SAMPLES_PREFIX        = var.samples_prefix
    TRAWL_LAUNCH_QUEUE_URL      = module.queues.queue_urls["launch"]
    TRAWL_LAUNCH_DLQ_URL        = module.queues.dlq_urls["launch"]
    TRAWL_SOURCES_ALLOWED       = "s3://${module.samples.bucket}/"
    TRAWL_PARTITIONING          = "remote"
    TRAWL_PARTITIONS_QUEUE_URL  = module.queues.queue_urls["partitions"]
    TRAWL_PARTITION_DLQ_URL     = module.queues.dlq_urls["partitions"]
    TRAWL_GRID_SIZE             = var.partitions_per_job
    TRAWL_TABLE_PREFIX          = var.name_prefix
    TRAWL_CREATE_TABLES         = "false"
    TRAWL_DYNAMODB_TABLE_PREFIX = var.name_prefix
    TRAWL_METRICS_NAMESPACE     = local.metrics_namespace
    TRAWL_WORKER_ASG            = local.asg_names.worker
    SPRING_DATASOURCE_URL       = module.database.jdbc_url
    TRAWL_DB_SECRET_ARN         = module.database.master_user_secret_arn
    # Bearer tokens from the user pool; its groups (cognito:groups) are the roles
    TRAWL_OIDC_ISSUER = module.identity.issuer_url
    # The app binds loopback by default; here the security group admits its port from the load balancer only
    TRAWL_BIND_ADDRESS = "0.0.0.0"
  }
}

module "network" {
  source      = "./modules/network"
  name_prefix = var.name_prefix
  cidr_block  = var.vpc_cidr_block
  az_count    = var.az_count
  nat_gateway = var.nat_gateway
}

module "samples" {
  source      = "./modules/storage"
  bucket_name = "${var.name_prefix}-samples-${local.bucket_suffix}"
  purpose     = "malware samples and the data derived from them"
}

module "artifacts" {
  source      = "./modules/storage"
  bucket_name = "${var.name_prefix}-artifacts-${local.bucket_suffix}"
  purpose     = "pipeline artifacts and releases"
  # Pipeline artifacts are only needed while a run is in flight; releases stay for rollbacks
  expirations   = { "${module.pipeline.artifact_prefix}/" = 30 }
  force_destroy = true
}

module "tables" {
  source      = "./modules/tables"
  name_prefix = var.name_prefix
  kms_key_arn = module.samples.kms_key_arn
}

module "queues" {
  source      = "./modules/queues"
  name_prefix = var.name_prefix
}

module "database" {
  source                    = "./modules/database"
  name_prefix               = var.name_prefix
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = [module.manager.security_group_id, module.workers.security_group_id]
  kms_key_arn               = module.samples.kms_key_arn
  min_capacity              = var.db_min_capacity
  max_capacity              = var.db_max_capacity
}

module "identity" {
  source        = "./modules/identity"
  name_prefix   = var.name_prefix
  domain_prefix = "${var.name_prefix}-${data.aws_caller_identity.current.account_id}"
  callback_urls = var.oidc_callback_urls
}

module "alb" {
  source                    = "./modules/alb"
  name_prefix               = var.name_prefix
  vpc_id                    = module.network.vpc_id
  subnet_ids                = var.api_internal ? module.network.private_subnet_ids : module.network.public_subnet_ids
  internal                  = var.api_internal
  allowed_cidr_blocks       = var.api_allowed_cidr_blocks
  certificate_arn           = var.certificate_arn
  target_security_group_ids = [module.manager.security_group_id]
}

module "manager" {
  source                     = "./modules/compute"
  name                       = local.asg_names.manager
  role                       = "manager"
  vpc_id                     = module.network.vpc_id
  vpc_cidr_block             = module.network.vpc_cidr_block
  subnet_ids                 = module.network.private_subnet_ids
  instance_type              = var.manager_instance_type
  instance_profile_name      = module.iam.manager_instance_profile_name
  min_size                   = 1
  max_size                   = 2
  desired_capacity           = 1
  artifact_bucket            = module.artifacts.bucket
  release_parameter_name     = module.pipeline.release_parameter_name
  environment                = local.app_environment
  ingress_security_group_ids = [module.alb.security_group_id]
  target_group_arns          = [module.alb.target_group_arn]
  # One manager: launch its replacement before stopping it
  refresh_min_healthy_percentage = 100
  refresh_max_healthy_percentage = 200
}

module "workers" {
  source                 = "./modules/compute"
  name                   = local.asg_names.worker
  role                   = "worker"
  vpc_id                 = module.network.vpc_id
  vpc_cidr_block         = module.network.vpc_cidr_block
  subnet_ids             = module.network.private_subnet_ids
  instance_type          = var.worker_instance_type
  instance_profile_name  = module.iam.worker_instance_profile_name
  min_size               = 0
  max_size               = var.worker_max_size
  artifact_bucket        = module.artifacts.bucket
  release_parameter_name = module.pipeline.release_parameter_name
  environment            = local.app_environment
  # Busy workers are protected and waited for; the rest are replaced a tenth at a time
  refresh_min_healthy_percentage = 90
  refresh_max_healthy_percentage = 110
  backlog_scaling = {
    queue_name                  = module.queues.queue_names["partitions"]
    target_backlog_per_instance = var.backlog_per_worker
  }
}

module "iam" {
  source                   = "./modules/iam"
  name_prefix              = var.name_prefix
  samples_bucket_arn       = module.samples.arn
  data_kms_key_arn         = module.samples.kms_key_arn
  artifact_bucket_arn      = module.artifacts.arn
  artifact_kms_key_arn     = module.artifacts.kms_key_arn
  pipeline_artifact_prefix = module.pipeline.artifact_prefix
  table_arns               = module.tables.table_arns
  queue_arns               = module.queues.queue_arns
  dead_letter_queue_arns   = module.queues.dlq_arns
  db_secret_arn            = module.database.master_user_secret_arn
  release_parameter_arn    = module.pipeline.release_parameter_arn
  manager_asg_name         = local.asg_names.manager
  worker_asg_name          = local.asg_names.worker
  connection_arn           = module.pipeline.connection_arn
  build_project_arn        = module.pipeline.build_project_arn
  deploy_project_arn       = module.pipeline.deploy_project_arn
  log_group_arns           = module.pipeline.log_group_arns
  metrics_namespace        = local.metrics_namespace
}

module "pipeline" {
  source                      = "./modules/pipeline"
  name_prefix                 = var.name_prefix
  github_repository           = var.github_repository
  branch                      = var.github_branch
  artifact_bucket             = module.artifacts.bucket
  artifact_kms_key_arn        = module.artifacts.kms_key_arn
  codepipeline_role_arn       = module.iam.role_arns["codepipeline"]
  codebuild_role_arn          = module.iam.role_arns["codebuild"]
  deploy_role_arn             = module.iam.role_arns["deploy"]
  manager_asg_name            = module.manager.asg_name
  manager_refresh_preferences = module.manager.instance_refresh_preferences
  worker_asg_name             = module.workers.asg_name
  worker_refresh_preferences  = module.workers.instance_refresh_preferences
}

module "scheduler" {
  source                = "./modules/scheduler"
  name_prefix           = var.name_prefix
  launch_queue_arn      = module.queues.queue_arns["launch"]
  dead_letter_queue_arn = module.queues.dlq_arns["launch"]
  role_arn              = module.iam.role_arns["scheduler"]
  schedule_expression   = var.rescan_schedule
  timezone              = var.rescan_timezone
  source_uri            = "s3://${module.samples.bucket}/${var.samples_prefix}"
}

module "monitoring" {
  source                  = "./modules/monitoring"
  name_prefix             = var.name_prefix
  queue_names             = module.queues.queue_names
  dead_letter_queue_names = module.queues.dlq_names
  manager_asg_name        = module.manager.asg_name
  worker_asg_name         = module.workers.asg_name
  alb_arn_suffix          = module.alb.arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  db_cluster_identifier   = module.database.cluster_identifier
  metrics_namespace       = local.metrics_namespace
  alarm_email             = var.alarm_email
}
