package io.trawl.terraform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.terraform.TerraformConfig.Block;

/** The pipeline, the nightly schedule and the alarms. */
final class DeliveryPolicies {

	static final String DEPLOY_BUILDSPEC = "deploy-buildspec.yml";

	private DeliveryPolicies() {
	}

	static List<String> pipelineSourcesFromGitHubThroughCodeStarConnection(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> connections = tf.resources("aws_codestarconnections_connection")
			.stream()
			.filter(c -> "GitHub".equals(c.text("provider_type")))
			.toList();
		if (connections.isEmpty()) {
			violations.add("No aws_codestarconnections_connection with provider_type = \"GitHub\"");
		}
		eachPipeline(tf, violations, pipeline -> {
			Optional<ObjectNode> source = action(pipeline, "Source", "CodeStarSourceConnection");
			boolean throughConnection = source.isPresent() && connections.stream()
				.anyMatch(c -> ("${" + c.reference() + ".arn}").equals(Hcl.text(source.get().path("configuration").get("ConnectionArn"))));
			return throughConnection ? List.of()
					: List.of(pipeline.address() + " has no Source stage reading GitHub through the CodeStar connection");
		});
		return violations;
	}

	static List<String> pipelineBuildsWithBuildspec(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		eachPipeline(tf, violations, pipeline -> {
			Optional<Block> project = action(pipeline, "Build", "CodeBuild").flatMap(a -> project(tf, pipeline, a));
			boolean buildspec = project.isPresent()
					&& project.get().nested("source").stream().anyMatch(s -> "buildspec.yml".equals(Hcl.text(s.get("buildspec"))));
			return buildspec ? List.of()
					: List.of(pipeline.address() + " has no Build stage running a CodeBuild project on buildspec.yml");
		});
		return violations;
	}

	/** After the build, a deploy stage publishes the release and starts an instance refresh of both groups. */
	static List<String> pipelineDeployStartsInstanceRefresh(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		eachPipeline(tf, violations, pipeline -> {
			List<String> stages = pipeline.nested("stage").stream().map(s -> Hcl.text(s.get("name"))).toList();
			if (stages.indexOf("Deploy") <= stages.indexOf("Build")) {
				return List.of(pipeline.address() + " has no Deploy stage after its Build stage");
			}
			Optional<Block> project = action(pipeline, "Deploy", "CodeBuild").flatMap(a -> project(tf, pipeline, a));
			if (project.isEmpty()) {
				return List.of(pipeline.address() + " has no Deploy stage running a CodeBuild project");
			}
			String buildspecRef = project.get().nested("source").stream().map(s -> Hcl.text(s.get("buildspec"))).findFirst().orElse("");
			if (!buildspecRef.contains("file(\"${path.module}/" + DEPLOY_BUILDSPEC + "\")")) {
				return List.of(project.get().address() + " does not run " + DEPLOY_BUILDSPEC);
			}
			String buildspec = tf.read(project.get().module(), DEPLOY_BUILDSPEC);
			List<String> problems = new ArrayList<>();
			try {
				new Yaml().load(buildspec);
			}
			catch (RuntimeException e) {
				problems.add(project.get().module() + "/" + DEPLOY_BUILDSPEC + " is not valid YAML: " + e.getMessage());
			}
			for (String group : List.of("MANAGER", "WORKER")) {
				if (!buildspec.contains("start-instance-refresh --auto-scaling-group-name \"$" + group + "_ASG\"")) {
					problems.add(DEPLOY_BUILDSPEC + " does not start an instance refresh of $" + group + "_ASG");
				}
				boolean passed = project.get().nested("environment", "environment_variable")
					.stream()
					.anyMatch(v -> (group + "_ASG").equals(Hcl.text(v.get("name"))));
				if (!passed) {
					problems.add(project.get().address() + " does not pass " + group + "_ASG to the deploy");
				}
			}
			if (!buildspec.contains("ssm put-parameter --name \"$RELEASE_PARAMETER\"")) {
				problems.add(DEPLOY_BUILDSPEC + " does not point the release parameter at the new release");
			}
			return problems;
		});
		return violations;
	}

	/**
	 * A schedule, cron configurable, sends {"type":"rescan","requestId":"nightly-...","source":"s3://...","version":1}
	 * to the launch queue.
	 */
	static List<String> schedulerSendsTheNightlyLaunchMessage(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> schedules = tf.resources("aws_scheduler_schedule");
		if (schedules.isEmpty()) {
			return List.of("No aws_scheduler_schedule is defined");
		}
		for (Block schedule : schedules) {
			Optional<Block> call = tf.moduleCalls()
				.stream()
				.filter(c -> schedule.module().equals(TerraformConfig.sourceOf(c)))
				.findFirst();
			if (call.isEmpty()) {
				violations.add(schedule.module() + " is not used by the root module");
				continue;
			}
			if (!"${module.queues.queue_arns[\"launch\"]}".equals(call.get().text("launch_queue_arn"))
					|| schedule.nested("target").stream().noneMatch(t -> "${var.launch_queue_arn}".equals(Hcl.text(t.get("arn"))))) {
				violations.add(schedule.address() + " does not target the launch queue");
			}
			String schedulePassed = call.get().text("schedule_expression");
			if (schedulePassed == null || !schedulePassed.startsWith("${var.")
					|| !String.valueOf(Hcl.text(tf.resolveDefault("", call.get().attribute("schedule_expression")))).startsWith("cron(")) {
				violations.add(call.get().address() + " does not take its schedule from a root variable with a cron() default");
			}
			String input = schedule.nested("target").stream().map(t -> Hcl.text(t.get("input"))).findFirst().orElse("");
			for (String field : List.of("type\\s*=\\s*\"rescan\"", "requestId\\s*=\\s*\"nightly-[^\"]+\"",
					"source\\s*=\\s*var\\.source_uri", "version\\s*=\\s*1\\b")) {
				if (!input.matches("(?s).*" + field + ".*")) {
					violations.add(schedule.address() + " input does not set " + field.replace("\\s*", " ").replace("\\", ""));
				}
			}
			if (!String.valueOf(call.get().text("source_uri")).startsWith("s3://${module.samples.bucket}/")) {
				violations.add(call.get().address() + " source_uri is not an s3:// URI of the sample bucket");
			}
		}
		return violations;
	}

	static List<String> deadLetterQueuesAreAlarmed(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		Optional<Block> alarm = tf.resources("aws_cloudwatch_metric_alarm")
			.stream()
			.filter(a -> "AWS/SQS".equals(a.text("namespace"))
					&& "ApproximateNumberOfMessagesVisible".equals(a.text("metric_name"))
					&& "${var.dead_letter_queue_names}".equals(a.text("for_each")))
			.findFirst();
		if (alarm.isEmpty()) {
			return List.of("No alarm on ApproximateNumberOfMessagesVisible for each of var.dead_letter_queue_names");
		}
		if (!"0".equals(alarm.get().text("threshold")) || !"GreaterThanThreshold".equals(alarm.get().text("comparison_operator"))
				|| Hcl.texts(alarm.get().attribute("alarm_actions")).isEmpty()) {
			violations.add(alarm.get().address() + " does not notify as soon as one message is on a DLQ");
		}
		Optional<Block> call = tf.moduleCalls().stream().filter(c -> alarm.get().module().equals(TerraformConfig.sourceOf(c))).findFirst();
		if (call.isEmpty() || !"${module.queues.dlq_names}".equals(call.get().text("dead_letter_queue_names"))) {
			violations.add("The root module does not pass both DLQs (module.queues.dlq_names) to " + alarm.get().module());
		}
		return violations;
	}

	static List<String> failedJobsAndWorkerErrorsAreAlarmed(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		Map<String, String> expected = Map.of("failed_jobs_metric", "JobsFailed", "worker_errors_metric", "WorkerErrors");
		expected.forEach((variable, metric) -> {
			boolean alarmed = tf.resources("aws_cloudwatch_metric_alarm")
				.stream()
				.filter(a -> ("${var." + variable + "}").equals(a.text("metric_name")))
				.anyMatch(a -> "Trawl".equals(Hcl.text(tf.resolveDefault(a.module(), a.attribute("namespace"))))
						&& metric.equals(Hcl.text(tf.resolveDefault(a.module(), a.attribute("metric_name"))))
						&& !Hcl.texts(a.attribute("alarm_actions")).isEmpty());
			if (!alarmed) {
				violations.add("No alarm with actions on the metric Trawl/" + metric);
			}
		});
		return violations;
	}

	/**
	 * The alarmed metrics can be published: the app learns the namespace (TRAWL_METRICS_NAMESPACE, which
	 * config/application-aws.yml reads), the alarms watch the same one, and both instance roles may call
	 * cloudwatch:PutMetricData in it and in no other.
	 */
	static List<String> theAppMayPublishTheAlarmedMetrics(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		String namespace = "${local.metrics_namespace}";
		if (!"Trawl".equals(Hcl.text(tf.locals("").get("metrics_namespace")))) {
			violations.add("main.tf: local.metrics_namespace is not \"Trawl\", the namespace the app publishes to by default");
		}
		if (!namespace.equals(ComputePolicies.appEnvironment(tf, "TRAWL_METRICS_NAMESPACE"))) {
			violations.add("main.tf: local.app_environment does not set TRAWL_METRICS_NAMESPACE = local.metrics_namespace");
		}
		for (String call : List.of("monitoring", "iam")) {
			Optional<Block> module = tf.moduleCall("", call);
			if (module.isEmpty() || !namespace.equals(module.get().text("metrics_namespace"))) {
				violations.add("main.tf: module." + call + " does not get metrics_namespace = local.metrics_namespace");
			}
		}
		for (String role : List.of("manager", "worker")) {
			boolean publishes = IamPolicies.statementsOf(tf, role)
				.stream()
				.filter(s -> !PolicyDocuments.isDeny(s) && PolicyDocuments.actions(s).contains("cloudwatch:PutMetricData"))
				.anyMatch(s -> Hcl.nested(s, "condition").stream()
					.anyMatch(c -> "StringEquals".equals(Hcl.text(c.get("test")))
							&& "cloudwatch:namespace".equals(Hcl.text(c.get("variable")))
							&& Hcl.texts(c.get("values")).equals(List.of("${var.metrics_namespace}"))));
			if (!publishes) {
				violations.add("The " + role + " role may not call cloudwatch:PutMetricData in var.metrics_namespace "
						+ "(and only there)");
			}
		}
		String appConfig = ComputePolicies.appConfig();
		if (!appConfig.contains("${TRAWL_METRICS_NAMESPACE:")) {
			violations.add("config/application-aws.yml does not read TRAWL_METRICS_NAMESPACE");
		}
		return violations;
	}

	static List<String> dashboardShowsQueuesWorkersAndErrors(TerraformConfig tf) {
		List<Block> dashboards = tf.resources("aws_cloudwatch_dashboard");
		if (dashboards.isEmpty()) {
			return List.of("No aws_cloudwatch_dashboard is defined");
		}
		List<String> violations = new ArrayList<>();
		for (Block dashboard : dashboards) {
			String body = dashboard.text("dashboard_body") + String.join("\n", Hcl.strings(tf.locals(dashboard.module()).get("queue_widgets")).toList());
			for (String shown : List.of("ApproximateNumberOfMessagesVisible", "dead_letter_queue_names", "GroupInServiceInstances",
					"var.failed_jobs_metric", "var.worker_errors_metric")) {
				if (!body.contains(shown)) {
					violations.add(dashboard.address() + " does not show " + shown);
				}
			}
		}
		return violations;
	}

	private interface PipelineCheck {

		List<String> check(Block pipeline);
	}

	private static void eachPipeline(TerraformConfig tf, List<String> violations, PipelineCheck check) {
		List<Block> pipelines = tf.resources("aws_codepipeline");
		if (pipelines.isEmpty()) {
			violations.add("No aws_codepipeline is defined");
		}
		pipelines.forEach(p -> violations.addAll(check.check(p)));
	}

	private static Optional<ObjectNode> action(Block pipeline, String stage, String provider) {
		return pipeline.nested("stage")
			.stream()
			.filter(s -> stage.equals(Hcl.text(s.get("name"))))
			.flatMap(s -> Hcl.nested(s, "action").stream())
			.filter(a -> provider.equals(Hcl.text(a.get("provider"))))
			.findFirst();
	}

	private static Optional<Block> project(TerraformConfig tf, Block pipeline, ObjectNode action) {
		JsonNode name = action.path("configuration").get("ProjectName");
		return tf.resources("aws_codebuild_project")
			.stream()
			.filter(p -> p.module().equals(pipeline.module()) && ("${" + p.reference() + ".name}").equals(Hcl.text(name)))
			.findFirst();
	}
}
