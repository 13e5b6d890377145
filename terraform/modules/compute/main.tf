# One Trawl instance group: a launch template, its Auto Scaling group and, for workers, scaling on the queue backlog.

data "aws_region" "current" {}

locals {
  # Time for a new instance to install packages, fetch the release and start the app
  instance_warmup_seconds = 180
}

data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"] # Debian's official AWS account

  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }

  dynamic "filter" {
    for_each = var.ami_id == null ? [] : [var.ami_id]
    content {
      name   = "image-id"
      values = [filter.value]
    }
  }
}

resource "aws_security_group" "this" {
  name        = var.name
  description = "Trawl ${var.role} instances"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "app" {
  count                        = length(var.ingress_security_group_ids)
  security_group_id            = aws_security_group.this.id
  description                  = "The app's HTTP port from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = var.ingress_security_group_ids[count.index]
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "AWS APIs (through the endpoints or the NAT) and HTTPS package sources"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "http" {
  security_group_id = aws_security_group.this.id
  description       = "Debian mirrors serve signed packages over HTTP"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "postgres" {
  security_group_id = aws_security_group.this.id
  description       = "The job repository"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = var.vpc_cidr_block
}

resource "aws_launch_template" "this" {
  name                   = var.name
  image_id               = data.aws_ami.debian.id
  instance_type          = var.instance_type
  update_default_version = true
  vpc_security_group_ids = [aws_security_group.this.id]

  iam_instance_profile {
    name = var.instance_profile_name
  }

  # IMDSv2 only; a hop limit of 1 keeps the credentials away from anything behind another network hop
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = data.aws_ami.debian.root_device_name
    ebs {
      volume_size           = var.volume_size_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  user_data = base64encode(templatefile("${path.module}/user-data.sh.tftpl", {
    role              = var.role
    region            = data.aws_region.current.name
    artifact_bucket   = var.artifact_bucket
    release_parameter = var.release_parameter_name
    environment       = join("\n", [for key, value in var.environment : "${key}=${value}"])
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = var.name, Role = var.role }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = var.name, Role = var.role }
  }
}

resource "aws_autoscaling_group" "this" {
  name                      = var.name
  min_size                  = var.min_size
  max_size                  = var.max_size
  desired_capacity          = var.desired_capacity
  vpc_zone_identifier       = var.subnet_ids
  target_group_arns         = var.target_group_arns
  health_check_type         = length(var.target_group_arns) > 0 ? "ELB" : "EC2"
  health_check_grace_period = 600
  # Instances start unprotected; a busy worker protects itself (SetInstanceProtection) and lifts it when idle
  protect_from_scale_in = false
  # Backlog per instance divides by GroupInServiceInstances, which is only published when collected
  enabled_metrics     = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupTerminatingInstances"]
  metrics_granularity = "1Minute"

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  # A new launch template version replaces the instances in rolling batches, keeping capacity in service
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage       = var.refresh_min_healthy_percentage
      max_healthy_percentage       = var.refresh_max_healthy_percentage
      instance_warmup              = local.instance_warmup_seconds
      scale_in_protected_instances = "Wait"
      skip_matching                = true
    }
  }

  tag {
    key                 = "Name"
    value               = var.name
    propagate_at_launch = true
  }

  lifecycle {
    # Scaling owns the size once the group exists
    ignore_changes = [desired_capacity]
  }
}

resource "aws_autoscaling_policy" "backlog_per_instance" {
  count = var.backlog_scaling == null ? 0 : 1

  name                      = "${var.name}-backlog-per-instance"
  autoscaling_group_name    = aws_autoscaling_group.this.name
  policy_type               = "TargetTrackingScaling"
  estimated_instance_warmup = local.instance_warmup_seconds

  target_tracking_configuration {
    target_value = var.backlog_scaling.target_backlog_per_instance

    customized_metric_specification {
      metrics {
        id          = "visible"
        label       = "Messages waiting"
        return_data = false
        metric_stat {
          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"
            dimensions {
              name  = "QueueName"
              value = var.backlog_scaling.queue_name
            }
          }
          stat = "Sum"
        }
      }

      metrics {
        id          = "in_service"
        label       = "Instances in service"
        return_data = false
        metric_stat {
          metric {
            namespace   = "AWS/AutoScaling"
            metric_name = "GroupInServiceInstances"
            dimensions {
              name  = "AutoScalingGroupName"
              value = aws_autoscaling_group.this.name
            }
          }
          stat = "Average"
        }
      }

      metrics {
        id          = "backlog_per_instance"
        label       = "Messages waiting per instance"
        expression  = "visible / IF(in_service > 0, in_service, 1)"
        return_data = true
      }
    }
  }
}

# Target tracking scales in proportion to current capacity, so from zero instances it has nothing to multiply:
# this alarm starts the first worker, and target tracking takes over from there.
resource "aws_autoscaling_policy" "wake_from_zero" {
  count = var.backlog_scaling == null ? 0 : 1

  name                   = "${var.name}-wake-from-zero"
  autoscaling_group_name = aws_autoscaling_group.this.name
  policy_type            = "SimpleScaling"
  adjustment_type        = "ExactCapacity"
  scaling_adjustment     = 1
  cooldown               = 300
}

resource "aws_cloudwatch_metric_alarm" "wake_from_zero" {
  count = var.backlog_scaling == null ? 0 : 1

  alarm_name          = "${var.name}-work-waiting-with-no-instance"
  alarm_description   = "Messages are waiting on ${var.backlog_scaling.queue_name} and ${var.name} has no instance in service."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_autoscaling_policy.wake_from_zero[0].arn]

  metric_query {
    id          = "visible"
    return_data = false
    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = var.backlog_scaling.queue_name }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id          = "in_service"
    return_data = false
    metric {
      namespace   = "AWS/AutoScaling"
      metric_name = "GroupInServiceInstances"
      dimensions  = { AutoScalingGroupName = aws_autoscaling_group.this.name }
      period      = 60
      stat        = "Average"
    }
  }

  metric_query {
    id          = "idle_with_work"
    expression  = "IF(visible > 0 AND in_service == 0, 1, 0)"
    label       = "Work waiting, no instance"
    return_data = true
  }
}
