# One role per part, each allowed exactly the actions it performs on the resources it touches. Every policy
# is an aws_iam_policy_document, so the policy tests can read them; no action is a wildcard.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  asg_arn   = "arn:${data.aws_partition.current.partition}:autoscaling:${data.aws_region.current.name}:${local.account}:autoScalingGroup:*:autoScalingGroupName"
  asg_arns  = { manager = "${local.asg_arn}/${var.manager_asg_name}", worker = "${local.asg_arn}/${var.worker_asg_name}" }
  artifacts = "${var.artifact_bucket_arn}/${var.pipeline_artifact_prefix}/*"
  releases  = "${var.artifact_bucket_arn}/releases/*"

  # part => the service that assumes its role
  roles = {
    manager      = "ec2.amazonaws.com"
    worker       = "ec2.amazonaws.com"
    codebuild    = "codebuild.amazonaws.com"
    deploy       = "codebuild.amazonaws.com"
    codepipeline = "codepipeline.amazonaws.com"
    scheduler    = "scheduler.amazonaws.com"
  }
}

data "aws_iam_policy_document" "trust" {
  for_each = local.roles

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [each.value]
    }
    # Services acting for another account cannot assume these roles (EC2 sends no source account)
    dynamic "condition" {
      for_each = each.value == "ec2.amazonaws.com" ? [] : [local.account]
      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.roles

  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
}

resource "aws_iam_instance_profile" "manager" {
  name = "${var.name_prefix}-manager"
  role = aws_iam_role.this["manager"].name
}

resource "aws_iam_instance_profile" "worker" {
  name = "${var.name_prefix}-worker"
  role = aws_iam_role.this["worker"].name
}

# What both the manager and the workers need: their release, the job repository, the result tables, metrics
data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "ReadRelease"
    actions   = ["s3:GetObject"]
    resources = [local.releases]
  }
  statement {
    sid       = "ReadReleaseName"
    actions   = ["ssm:GetParameter"]
    resources = [var.release_parameter_arn]
  }
  statement {
    sid       = "JobRepositoryCredentials"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.db_secret_arn]
  }
  statement {
    sid       = "DecryptRelease"
    actions   = ["kms:Decrypt"]
    resources = [var.artifact_kms_key_arn]
  }
  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.data_kms_key_arn]
  }
  statement {
    sid = "ResultTables"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]
    resources = var.table_arns
  }
  statement {
    sid = "ListSamples"
    # Partitions are key ranges: the manager lists to split them, a worker lists its range
    actions   = ["s3:ListBucket"]
    resources = [var.samples_bucket_arn]
  }
  statement {
    sid       = "PublishMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource-level permissions; the namespace condition scopes it
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.metrics_namespace]
    }
  }
}

data "aws_iam_policy_document" "manager" {
  source_policy_documents = [data.aws_iam_policy_document.instance.json]

  statement {
    sid = "ConsumeLaunchRequests"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
    ]
    resources = [var.queue_arns["launch"]]
  }
  statement {
    sid       = "SendPartitions"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [var.queue_arns["partitions"]]
  }
  statement {
    sid       = "MoveInvalidLaunchRequestsToDlq"
    actions   = ["sqs:SendMessage"]
    resources = [var.dead_letter_queue_arns["launch"]]
  }
}

data "aws_iam_policy_document" "worker" {
  source_policy_documents = [data.aws_iam_policy_document.instance.json]

  statement {
    sid = "ConsumePartitions"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
    ]
    resources = [var.queue_arns["partitions"]]
  }
  statement {
    sid       = "MoveInvalidPartitionRequestsToDlq"
    actions   = ["sqs:SendMessage"]
    resources = [var.dead_letter_queue_arns["partitions"]]
  }
  statement {
    sid       = "ReadSamples"
    actions   = ["s3:GetObject"]
    resources = ["${var.samples_bucket_arn}/*"]
  }
  statement {
    sid       = "ProtectWhileBusy"
    actions   = ["autoscaling:SetInstanceProtection"]
    resources = [local.asg_arns["worker"]]
  }
}

data "aws_iam_policy_document" "codebuild" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.log_group_arns["build"]}:*"]
  }
  statement {
    sid       = "PipelineArtifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = [local.artifacts]
  }
  statement {
    sid       = "ArtifactBucket"
    actions   = ["s3:GetBucketAcl", "s3:GetBucketLocation"]
    resources = [var.artifact_bucket_arn]
  }
  statement {
    sid       = "ArtifactKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.artifact_kms_key_arn]
  }
  statement {
    sid = "TestReports"
    actions = [
      "codebuild:BatchPutTestCases",
      "codebuild:CreateReport",
      "codebuild:CreateReportGroup",
      "codebuild:UpdateReport",
    ]
    resources = ["${replace(var.build_project_arn, ":project/", ":report-group/")}-*"]
  }
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.log_group_arns["deploy"]}:*"]
  }
  statement {
    sid       = "ReadBuildOutput"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [local.artifacts]
  }
  statement {
    sid       = "ArtifactBucket"
    actions   = ["s3:GetBucketAcl", "s3:GetBucketLocation"]
    resources = [var.artifact_bucket_arn]
  }
  statement {
    sid       = "PublishRelease"
    actions   = ["s3:PutObject"]
    resources = [local.releases]
  }
  statement {
    sid       = "ArtifactKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.artifact_kms_key_arn]
  }
  statement {
    sid       = "PointAtRelease"
    actions   = ["ssm:PutParameter"]
    resources = [var.release_parameter_arn]
  }
  statement {
    sid       = "RefreshInstances"
    actions   = ["autoscaling:StartInstanceRefresh"]
    resources = values(local.asg_arns)
  }
  statement {
    sid       = "WatchRefresh"
    actions   = ["autoscaling:DescribeInstanceRefreshes"]
    resources = ["*"] # Describe* calls of Auto Scaling have no resource-level permissions
  }
}

data "aws_iam_policy_document" "codepipeline" {
  statement {
    sid       = "GitHubSource"
    actions   = ["codestar-connections:UseConnection"]
    resources = [var.connection_arn]
  }
  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = [local.artifacts]
  }
  statement {
    sid       = "ArtifactBucket"
    actions   = ["s3:GetBucketVersioning"]
    resources = [var.artifact_bucket_arn]
  }
  statement {
    sid       = "ArtifactKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.artifact_kms_key_arn]
  }
  statement {
    sid       = "RunBuilds"
    actions   = ["codebuild:BatchGetBuilds", "codebuild:StartBuild"]
    resources = [var.build_project_arn, var.deploy_project_arn]
  }
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid     = "SendLaunchRequest"
    actions = ["sqs:SendMessage"]
    # The DLQ takes a launch request the scheduler could not deliver
    resources = [var.queue_arns["launch"], var.dead_letter_queue_arns["launch"]]
  }
}

resource "aws_iam_role_policy" "manager" {
  name   = "manager"
  role   = aws_iam_role.this["manager"].id
  policy = data.aws_iam_policy_document.manager.json
}

resource "aws_iam_role_policy" "worker" {
  name   = "worker"
  role   = aws_iam_role.this["worker"].id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_iam_role_policy" "codebuild" {
  name   = "codebuild"
  role   = aws_iam_role.this["codebuild"].id
  policy = data.aws_iam_policy_document.codebuild.json
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.this["deploy"].id
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_role_policy" "codepipeline" {
  name   = "codepipeline"
  role   = aws_iam_role.this["codepipeline"].id
  policy = data.aws_iam_policy_document.codepipeline.json
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "scheduler"
  role   = aws_iam_role.this["scheduler"].id
  policy = data.aws_iam_policy_document.scheduler.json
}
