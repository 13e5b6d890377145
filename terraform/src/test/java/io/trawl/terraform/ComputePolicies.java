package io.trawl.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.terraform.TerraformConfig.Block;

/** The network, the instance groups, their scaling and the load balancer in front of the manager. */
final class ComputePolicies {

	static final String COMPUTE_MODULE = "modules/compute";

	static final String ALB_MODULE = "modules/alb";

	static final String USER_DATA_TEMPLATE = "user-data.sh.tftpl";

	/** ALB policies that allow TLS 1.2 and 1.3 only. */
	static final Set<String> TLS12_OR_NEWER_POLICIES = Set.of("ELBSecurityPolicy-TLS13-1-2-2021-06",
			"ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
			"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06",
			"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
			"ELBSecurityPolicy-FS-1-2-Res-2020-10", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06");

	private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

	private ComputePolicies() {
	}

	static List<String> instancesRunInPrivateSubnets(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> groups = computeCalls(tf);
		if (groups.isEmpty()) {
			violations.add("The root module calls ./" + COMPUTE_MODULE + " nowhere");
		}
		groups.stream()
			.filter(call -> !"${module.network.private_subnet_ids}".equals(call.text("subnet_ids")))
			.forEach(call -> violations.add(call.address() + " does not run in module.network.private_subnet_ids"));
		tf.resources("aws_subnet")
			.stream()
			.filter(s -> s.isTrue("map_public_ip_on_launch"))
			.forEach(s -> violations.add(s.address() + " gives instances public addresses (map_public_ip_on_launch)"));
		tf.resources("aws_launch_template")
			.stream()
			.flatMap(t -> t.nested("network_interfaces").stream().map(n -> Map.entry(t, n)))
			.filter(e -> Hcl.isTrue(e.getValue().get("associate_public_ip_address")))
			.forEach(e -> violations.add(e.getKey().address() + " associates a public address"));
		return violations;
	}

	static List<String> vpcHasGatewayEndpointsForS3AndDynamoDb(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (String service : List.of("s3", "dynamodb")) {
			boolean found = endpoints(tf, service).stream()
				.anyMatch(e -> "Gateway".equals(e.text("vpc_endpoint_type")) && !Hcl.texts(e.attribute("route_table_ids")).isEmpty());
			if (!found) {
				violations.add("No gateway VPC endpoint for " + service + " is attached to the private route table");
			}
		}
		return violations;
	}

	static List<String> vpcHasInterfaceEndpointForSqs(TerraformConfig tf) {
		boolean found = endpoints(tf, "sqs").stream()
			.anyMatch(e -> "Interface".equals(e.text("vpc_endpoint_type")) && e.isTrue("private_dns_enabled")
					&& e.text("subnet_ids") != null && e.text("subnet_ids").contains("aws_subnet.private"));
		return found ? List.of()
				: List.of("No interface VPC endpoint for sqs with private DNS in the private subnets");
	}

	static List<String> launchTemplatesRequireImdsV2(TerraformConfig tf) {
		return eachLaunchTemplate(tf, template -> {
			List<ObjectNode> options = template.nested("metadata_options");
			boolean required = !options.isEmpty() && "required".equals(Hcl.text(options.get(0).get("http_tokens")));
			return required ? List.of()
					: List.of(template.address() + " does not require IMDSv2 (metadata_options { http_tokens = \"required\" })");
		});
	}

	static List<String> launchTemplatesEncryptEbs(TerraformConfig tf) {
		return eachLaunchTemplate(tf, template -> {
			List<ObjectNode> volumes = template.nested("block_device_mappings", "ebs");
			if (volumes.isEmpty()) {
				return List.of(template.address() + " has no EBS block device mapping, so the AMI decides the encryption");
			}
			return volumes.stream()
				.filter(v -> !Hcl.isTrue(v.get("encrypted")))
				.map(v -> template.address() + " has an EBS volume without encrypted = true")
				.toList();
		});
	}

	/**
	 * The user data installs JDK 17 and libyara (not libfuzzy: ssdeep is Java since issue 13, libfuzzy only the tests'
	 * reference), fetches the jar from the artifact bucket, runs it as aws.
	 */
	static List<String> userDataInstallsTheRuntimeAndRunsTheApp(TerraformConfig tf) {
		return eachLaunchTemplate(tf, template -> {
			String userData = template.text("user_data");
			if (userData == null || !userData.contains("templatefile(\"${path.module}/" + USER_DATA_TEMPLATE + "\"")) {
				return List.of(template.address() + " does not render its user data from " + USER_DATA_TEMPLATE);
			}
			String script = tf.read(template.module(), USER_DATA_TEMPLATE);
			List<String> violations = new ArrayList<>();
			if (script.contains("libfuzzy")) {
				violations.add(template.module() + "/" + USER_DATA_TEMPLATE
						+ " installs libfuzzy, which only the tests need");
			}
			for (String expected : List.of("openjdk-17-jdk-headless", "libyara9",
					"s3://$TRAWL_ARTIFACT_BUCKET/releases/$release/trawl.jar", "SPRING_PROFILES_ACTIVE=aws",
					"TRAWL_ROLE=${role}", "-jar trawl.jar")) {
				if (!script.contains(expected)) {
					violations.add(template.module() + "/" + USER_DATA_TEMPLATE + " does not contain " + expected);
				}
			}
			Matcher variables = TEMPLATE_VARIABLE.matcher(script);
			while (variables.find()) {
				if (!userData.matches("(?s).*\\b" + variables.group(1) + "\\s*=.*")) {
					violations.add(template.module() + "/" + USER_DATA_TEMPLATE + " uses ${" + variables.group(1)
							+ "}, which " + template.address() + " does not pass to templatefile");
				}
			}
			return violations;
		});
	}

	/** One manager always runs; workers go from zero to a maximum. */
	static List<String> managerAndWorkerGroupsAreSized(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		Optional<Block> manager = computeCall(tf, "manager");
		Optional<Block> workers = computeCall(tf, "worker");
		if (manager.isEmpty() || workers.isEmpty()) {
			return List.of("The root module needs a ./" + COMPUTE_MODULE + " call with role \"manager\" and one with \"worker\"");
		}
		if (!isNumberAtLeast(manager.get().attribute("min_size"), 1)) {
			violations.add(manager.get().address() + " does not keep at least one manager (min_size >= 1)");
		}
		if (!"0".equals(Hcl.text(workers.get().attribute("min_size")))) {
			violations.add(workers.get().address() + " does not let the workers scale to zero (min_size = 0)");
		}
		JsonNode max = tf.resolveDefault("", workers.get().attribute("max_size"));
		if (!isNumberAtLeast(max, 1)) {
			violations.add(workers.get().address() + " has no max_size of at least one worker");
		}
		return violations;
	}

	static List<String> groupsRefreshInstancesOnLaunchTemplateChange(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> groups = tf.resources("aws_autoscaling_group");
		if (groups.isEmpty()) {
			violations.add("No aws_autoscaling_group is defined");
		}
		for (Block group : groups) {
			boolean latest = group.nested("launch_template")
				.stream()
				.anyMatch(t -> String.valueOf(Hcl.text(t.get("version"))).matches("\\$\\{aws_launch_template\\.[A-Za-z0-9_-]+\\.latest_version}"));
			if (!latest) {
				violations.add(group.address() + " does not follow its launch template's latest_version");
			}
			List<ObjectNode> refresh = group.nested("instance_refresh");
			boolean rolling = !refresh.isEmpty() && "Rolling".equals(Hcl.text(refresh.get(0).get("strategy")))
					&& Hcl.nested(refresh.get(0), "preferences").stream().anyMatch(p -> p.has("min_healthy_percentage"));
			if (!rolling) {
				violations.add(group.address()
						+ " has no instance_refresh { strategy = \"Rolling\" } with a min_healthy_percentage preference");
			}
		}
		return violations;
	}

	/**
	 * Workers scale by target tracking on backlog per instance: the partitions queue's visible messages divided by
	 * the group's in-service instances, in metric math.
	 */
	static List<String> workerScalingUsesBacklogPerInstance(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		Optional<Block> workers = computeCall(tf, "worker");
		boolean onPartitions = workers.isPresent()
				&& "${module.queues.queue_names[\"partitions\"]}"
					.equals(Hcl.text(workers.get().attribute("backlog_scaling").path("queue_name")));
		if (!onPartitions) {
			violations.add("The workers' module call does not scale on backlog_scaling.queue_name = module.queues.queue_names[\"partitions\"]");
		}
		List<Block> policies = tf.resources("aws_autoscaling_policy")
			.stream()
			.filter(p -> "TargetTrackingScaling".equals(p.text("policy_type")))
			.toList();
		if (policies.isEmpty()) {
			violations.add("No target tracking aws_autoscaling_policy is defined");
		}
		for (Block policy : policies) {
			List<ObjectNode> metrics = policy.nested("target_tracking_configuration", "customized_metric_specification", "metrics");
			String visible = metricId(metrics, "AWS/SQS", "ApproximateNumberOfMessagesVisible");
			String inService = metricId(metrics, "AWS/AutoScaling", "GroupInServiceInstances");
			List<ObjectNode> returned = metrics.stream().filter(m -> Hcl.isTrue(m.get("return_data"))).toList();
			String expression = returned.size() == 1 ? Hcl.text(returned.get(0).get("expression")) : null;
			boolean divides = visible != null && inService != null && expression != null
					&& expression.matches("\\s*" + visible + "\\s*/.*\\b" + inService + "\\b.*");
			if (!divides) {
				violations.add(policy.address() + " does not track one metric-math expression dividing the SQS "
						+ "ApproximateNumberOfMessagesVisible by the group's GroupInServiceInstances");
			}
			tf.resources("aws_autoscaling_group")
				.stream()
				.filter(g -> g.module().equals(policy.module()) && policy.refersTo(g))
				.filter(g -> !Hcl.texts(g.attribute("enabled_metrics")).contains("GroupInServiceInstances"))
				.forEach(g -> violations.add(g.address() + " does not collect GroupInServiceInstances, which "
						+ policy.address() + " divides by"));
		}
		return violations;
	}

	/** With no worker running, target tracking has nothing to scale from: an alarm on waiting work starts one. */
	static List<String> workersStartFromZeroWhenWorkIsWaiting(TerraformConfig tf) {
		boolean wakes = tf.resources("aws_cloudwatch_metric_alarm")
			.stream()
			.filter(a -> a.module().equals(COMPUTE_MODULE))
			.anyMatch(a -> {
				String actions = String.join(" ", Hcl.texts(a.attribute("alarm_actions")));
				boolean scales = tf.resources("aws_autoscaling_policy")
					.stream()
					.filter(p -> p.module().equals(a.module()) && actions.contains(p.reference() + "["))
					.anyMatch(p -> "ExactCapacity".equals(p.text("adjustment_type")) && "1".equals(p.text("scaling_adjustment")));
				boolean onWaitingWork = a.nested("metric_query")
					.stream()
					.anyMatch(q -> String.valueOf(Hcl.text(q.get("expression"))).contains("in_service == 0"));
				return scales && onWaitingWork;
			});
		return wakes ? List.of()
				: List.of(COMPUTE_MODULE + " has no alarm on waiting work with no instance in service that sets the capacity to 1");
	}

	/** A busy worker protects itself from scale-in; the groups and instance refreshes respect that. */
	static List<String> scaleInProtectionIsHonoured(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (Block group : tf.resources("aws_autoscaling_group")) {
			if (!group.body().has("protect_from_scale_in")) {
				violations.add(group.address() + " does not state protect_from_scale_in");
			}
			boolean waits = group.nested("instance_refresh", "preferences")
				.stream()
				.anyMatch(p -> "Wait".equals(Hcl.text(p.get("scale_in_protected_instances"))));
			if (!waits) {
				violations.add(group.address() + " lets an instance refresh replace protected (busy) instances; "
						+ "set scale_in_protected_instances = \"Wait\"");
			}
		}
		String preferences = tf.outputs(COMPUTE_MODULE).containsKey("instance_refresh_preferences")
				? tf.outputs(COMPUTE_MODULE).get("instance_refresh_preferences").text("value") : null;
		if (preferences == null || !preferences.matches("(?s).*ScaleInProtectedInstances\\s*=\\s*\"Wait\".*")) {
			violations.add(COMPUTE_MODULE + " output instance_refresh_preferences (used by deploys) does not wait for protected instances");
		}
		boolean workerMayProtect = tf.dataSource(IamPolicies.IAM_MODULE, "aws_iam_policy_document", "worker")
			.stream()
			.flatMap(d -> PolicyDocuments.statements(d).stream())
			.anyMatch(s -> PolicyDocuments.actions(s).contains("autoscaling:SetInstanceProtection")
					&& PolicyDocuments.resources(s).equals(List.of("${local.asg_arns[\"worker\"]}")));
		if (!workerMayProtect) {
			violations.add("The worker role may not call autoscaling:SetInstanceProtection on the worker group alone");
		}
		return violations;
	}

	/**
	 * A worker learns its group from TRAWL_WORKER_ASG (read by config/application-aws.yml) for SetInstanceProtection:
	 * the group the workers' module call creates, and the one their role may protect instances in.
	 */
	static List<String> workersKnowTheirGroupForScaleInProtection(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		String group = "${local.asg_names.worker}";
		if (!group.equals(appEnvironment(tf, "TRAWL_WORKER_ASG"))) {
			violations.add("main.tf: local.app_environment does not set TRAWL_WORKER_ASG = local.asg_names.worker");
		}
		Optional<Block> workers = computeCall(tf, "worker");
		if (workers.isEmpty() || !group.equals(workers.get().text("name"))
				|| !"${local.app_environment}".equals(workers.get().text("environment"))) {
			violations.add("main.tf: the workers' module call is not named local.asg_names.worker with environment = "
					+ "local.app_environment");
		}
		Optional<Block> iam = tf.moduleCall("", "iam");
		if (iam.isEmpty() || !group.equals(iam.get().text("worker_asg_name"))) {
			violations.add("main.tf: module.iam does not get worker_asg_name = local.asg_names.worker");
		}
		if (!appConfig().contains("${TRAWL_WORKER_ASG:")) {
			violations.add("config/application-aws.yml does not read TRAWL_WORKER_ASG");
		}
		return violations;
	}

	/** A variable of the environment the root module gives both groups (local.app_environment), as written. */
	static String appEnvironment(TerraformConfig tf, String variable) {
		JsonNode environment = tf.locals("").get("app_environment");
		return environment == null ? null : Hcl.text(environment.get(variable));
	}

	/** The aws profile's settings, config/application-aws.yml, which read the environment Terraform writes. */
	static String appConfig() {
		try {
			return Files.readString(NodeScript.REPOSITORY_ROOT.resolve("config/application-aws.yml"));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static List<String> albServesHttpsWithTls12OrNewer(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> https = listeners(tf, "443");
		if (https.isEmpty()) {
			return List.of("No load balancer listener on port 443");
		}
		for (Block listener : https) {
			if (!"HTTPS".equals(listener.text("protocol")) || listener.text("certificate_arn") == null) {
				violations.add(listener.address() + " is not HTTPS with a certificate_arn");
			}
			String policy = Hcl.text(effectiveValue(tf, listener, "ssl_policy"));
			if (!TLS12_OR_NEWER_POLICIES.contains(policy)) {
				violations.add(listener.address() + " uses ssl_policy " + policy + ", which is not limited to TLS 1.2 and newer");
			}
		}
		tf.resources("aws_lb")
			.stream()
			.filter(lb -> !lb.isTrue("drop_invalid_header_fields"))
			.forEach(lb -> violations.add(lb.address() + " does not drop invalid header fields"));
		return violations;
	}

	static List<String> albRedirectsHttpToHttps(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> http = listeners(tf, "80");
		if (http.isEmpty()) {
			return List.of("No load balancer listener on port 80 redirects to HTTPS");
		}
		for (Block listener : http) {
			boolean redirects = listener.nested("default_action")
				.stream()
				.filter(a -> "redirect".equals(Hcl.text(a.get("type"))))
				.flatMap(a -> Hcl.nested(a, "redirect").stream())
				.anyMatch(r -> "HTTPS".equals(Hcl.text(r.get("protocol"))) && "443".equals(Hcl.text(r.get("port")))
						&& "HTTP_301".equals(Hcl.text(r.get("status_code"))));
			if (!redirects || listener.nested("default_action").size() != 1) {
				violations.add(listener.address() + " does not only redirect to HTTPS on 443 with HTTP_301");
			}
		}
		tf.resources("aws_lb_listener")
			.stream()
			.filter(l -> "HTTP".equals(l.text("protocol")))
			.filter(l -> l.nested("default_action").stream().anyMatch(a -> !"redirect".equals(Hcl.text(a.get("type")))))
			.forEach(l -> violations.add(l.address() + " serves plain HTTP instead of redirecting"));
		return violations;
	}

	static List<String> albForwardsToTheManagerWithHealthChecks(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> groups = tf.resources("aws_lb_target_group");
		if (groups.isEmpty()) {
			return List.of("No load balancer target group is defined");
		}
		for (Block group : groups) {
			if (!"8080".equals(Hcl.text(effectiveValue(tf, group, "port")))) {
				violations.add(group.address() + " does not send to the manager's port 8080");
			}
			String path = group.nested("health_check")
				.stream()
				.map(h -> Hcl.text(tf.resolveDefault(group.module(), h.get("path"))))
				.findFirst()
				.orElse(null);
			// the only paths open without credentials; /api/** answers the load balancer 401
			if (!"/actuator/health".equals(path) && !"/actuator/health/readiness".equals(path)) {
				violations.add(group.address() + " does not health-check /actuator/health or /actuator/health/readiness"
						+ " (it checks " + path + ")");
			}
		}
		boolean managerBehindAlb = computeCall(tf, "manager")
			.map(m -> Hcl.texts(m.attribute("target_group_arns")).contains("${module.alb.target_group_arn}"))
			.orElse(false);
		if (!managerBehindAlb) {
			violations.add("The manager's group is not registered with module.alb.target_group_arn");
		}
		return violations;
	}

	static List<Block> computeCalls(TerraformConfig tf) {
		return tf.moduleCalls()
			.stream()
			.filter(c -> c.module().isEmpty() && COMPUTE_MODULE.equals(TerraformConfig.sourceOf(c)))
			.toList();
	}

	static Optional<Block> computeCall(TerraformConfig tf, String role) {
		return computeCalls(tf).stream().filter(c -> role.equals(c.text("role"))).findFirst();
	}

	private static List<Block> endpoints(TerraformConfig tf, String service) {
		return tf.resources("aws_vpc_endpoint")
			.stream()
			.filter(e -> String.valueOf(e.text("service_name")).endsWith("." + service))
			.toList();
	}

	private static List<Block> listeners(TerraformConfig tf, String port) {
		return tf.resources("aws_lb_listener").stream().filter(l -> port.equals(l.text("port"))).toList();
	}

	/** A module attribute's value as the root example sets it: the root's argument, else the module default. */
	private static JsonNode effectiveValue(TerraformConfig tf, Block block, String attribute) {
		JsonNode value = block.attribute(attribute);
		String text = Hcl.text(value);
		if (text != null && text.matches("\\$\\{var\\.[A-Za-z0-9_-]+}")) {
			String variable = text.substring(6, text.length() - 1);
			Optional<JsonNode> fromRoot = tf.moduleCalls()
				.stream()
				.filter(c -> block.module().equals(TerraformConfig.sourceOf(c)) && c.body().has(variable))
				.map(c -> tf.resolveDefault(c.module(), c.body().get(variable)))
				.findFirst();
			return fromRoot.orElseGet(() -> tf.resolveDefault(block.module(), value));
		}
		return value;
	}

	private static String metricId(List<ObjectNode> metrics, String namespace, String name) {
		return metrics.stream()
			.filter(m -> Hcl.nested(m, "metric_stat", "metric")
				.stream()
				.anyMatch(x -> namespace.equals(Hcl.text(x.get("namespace"))) && name.equals(Hcl.text(x.get("metric_name")))))
			.map(m -> Hcl.text(m.get("id")))
			.findFirst()
			.orElse(null);
	}

	private static boolean isNumberAtLeast(JsonNode value, double minimum) {
		String text = Hcl.text(value);
		try {
			return text != null && Double.parseDouble(text) >= minimum;
		}
		catch (NumberFormatException notANumber) {
			return false;
		}
	}

	private interface TemplateCheck {

		List<String> check(Block template);
	}

	private static List<String> eachLaunchTemplate(TerraformConfig tf, TemplateCheck check) {
		List<Block> templates = tf.resources("aws_launch_template");
		if (templates.isEmpty()) {
			return List.of("No aws_launch_template is defined");
		}
		List<String> violations = new ArrayList<>();
		templates.forEach(t -> violations.addAll(check.check(t)));
		return violations;
	}
}
