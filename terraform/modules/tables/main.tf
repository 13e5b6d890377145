locals {
  # The app's table design (readmodel: DynamoDbTableNames, DynamoDbTables). Every key attribute is a string.
  tables = {
    # pk = {jobInstanceId}#{first two hex chars of sha256}: 256 shards per job spread a rescan's writes;
    # sk = {sha256}#{kind}#{qualifier}; a conditional put (attribute_not_exists(pk)) makes writes idempotent
    "events" = { hash_key = "pk", range_key = "sk" }
    # per-job results: pk = {jobInstanceId}#{shard}, sk = sha256
    "job-samples" = { hash_key = "pk", range_key = "sk" }
    # the latest result of each sample
    "samples" = { hash_key = "sha256", range_key = null }
    # job summaries
    "jobs" = { hash_key = "jobInstanceId", range_key = null }
    # detections per rule: pk = {jobInstanceId}#{rule}, sk = sha256
    "rule-hits" = { hash_key = "pk", range_key = "sk" }
    # per-rule history: one item per rule and job, sk = the job instance id zero-padded to 19 digits
    "rule-jobs" = { hash_key = "rule", range_key = "job" }
    # each job's manifest for incremental rescans: pk = {jobInstanceId}#{one of 16 shards by the location's hash},
    # sk = the location, encoded so that its order is Java's String order
    "manifests" = { hash_key = "pk", range_key = "sk" }
    # ruleset fingerprints: pk = ruleset version, sk = head or part#{n}
    "rulesets" = { hash_key = "pk", range_key = "sk" }
    # each source's basis, the last job that completed: pk = sha256 of the source
    "bases" = { hash_key = "pk", range_key = null }
  }
}

resource "aws_dynamodb_table" "this" {
  for_each = local.tables

  name                        = "${var.name_prefix}-${each.key}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  range_key                   = each.value.range_key
  deletion_protection_enabled = true

  dynamic "attribute" {
    for_each = compact([each.value.hash_key, each.value.range_key])
    content {
      name = attribute.value
      type = "S"
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }
}
