# GitHub -> CodeBuild (buildspec.yml: tests, jar) -> deploy (publish the release, refresh both groups).

locals {
  names = {
    pipeline = "${var.name_prefix}-delivery"
    build    = "${var.name_prefix}-build"
    deploy   = "${var.name_prefix}-deploy"
  }
}

# Created PENDING: someone with access to the GitHub organisation must confirm it once in the console
resource "aws_codestarconnections_connection" "github" {
  name          = "${var.name_prefix}-github"
  provider_type = "GitHub"
}

# The release the instances run; the deploy stage writes it, the instances read it at every start
resource "aws_ssm_parameter" "release" {
  name        = "/${var.name_prefix}/release"
  description = "Release (commit) under s3://${var.artifact_bucket}/releases/ that Trawl instances run"
  type        = "String"
  value       = "none"
  lifecycle {
    ignore_changes = [value]
  }
}

resource "aws_cloudwatch_log_group" "build" {
  name              = "/aws/codebuild/${local.names.build}"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "deploy" {
  name              = "/aws/codebuild/${local.names.deploy}"
  retention_in_days = 90
}

resource "aws_codebuild_project" "build" {
  name           = local.names.build
  description    = "Trawl: tests (./trawl test) and the jar"
  service_role   = var.codebuild_role_arn
  encryption_key = var.artifact_kms_key_arn
  build_timeout  = 60

  source {
    type      = "CODEPIPELINE"
    buildspec = "buildspec.yml"
  }

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = var.build_compute_type
    image                       = var.build_image
    image_pull_credentials_type = "CODEBUILD"
  }

  cache {
    type  = "LOCAL"
    modes = ["LOCAL_CUSTOM_CACHE"]
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.build.name
    }
  }
}

resource "aws_codebuild_project" "deploy" {
  name           = local.names.deploy
  description    = "Trawl: publishes the built release and rolls both instance groups onto it"
  service_role   = var.deploy_role_arn
  encryption_key = var.artifact_kms_key_arn
  build_timeout  = var.refresh_timeout_minutes + 15

  source {
    type      = "CODEPIPELINE"
    buildspec = file("${path.module}/deploy-buildspec.yml")
  }

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    type         = "LINUX_CONTAINER"
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/amazonlinux-x86_64-standard:5.0"

    environment_variable {
      name  = "ARTIFACT_BUCKET"
      value = var.artifact_bucket
    }
    environment_variable {
      name  = "RELEASE_PARAMETER"
      value = aws_ssm_parameter.release.name
    }
    environment_variable {
      name  = "MANAGER_ASG"
      value = var.manager_asg_name
    }
    environment_variable {
      name  = "MANAGER_REFRESH_PREFERENCES"
      value = var.manager_refresh_preferences
    }
    environment_variable {
      name  = "WORKER_ASG"
      value = var.worker_asg_name
    }
    environment_variable {
      name  = "WORKER_REFRESH_PREFERENCES"
      value = var.worker_refresh_preferences
    }
    environment_variable {
      name  = "REFRESH_TIMEOUT_MINUTES"
      value = tostring(var.refresh_timeout_minutes)
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.deploy.name
    }
  }
}

resource "aws_codepipeline" "this" {
  name          = local.names.pipeline
  role_arn      = var.codepipeline_role_arn
  pipeline_type = "V2"

  artifact_store {
    location = var.artifact_bucket
    type     = "S3"
    encryption_key {
      id   = var.artifact_kms_key_arn
      type = "KMS"
    }
  }

  stage {
    name = "Source"
    action {
      name             = "GitHub"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      namespace        = "SourceVariables"
      output_artifacts = ["source"]
      configuration = {
        ConnectionArn        = aws_codestarconnections_connection.github.arn
        FullRepositoryId     = var.github_repository
        BranchName           = var.branch
        OutputArtifactFormat = "CODE_ZIP"
        DetectChanges        = "true"
      }
    }
  }

  stage {
    name = "Build"
    action {
      name             = "TestAndPackage"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      input_artifacts  = ["source"]
      output_artifacts = ["build"]
      configuration = {
        ProjectName = aws_codebuild_project.build.name
      }
    }
  }

  stage {
    name = "Deploy"
    action {
      name            = "PublishAndRefresh"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["build"]
      configuration = {
        ProjectName = aws_codebuild_project.deploy.name
        EnvironmentVariables = jsonencode([
          { name = "RELEASE", value = "#{SourceVariables.CommitId}", type = "PLAINTEXT" },
        ])
      }
    }
  }
}
