package io.trawl.terraform;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policies fail when a property goes: each case removes or weakens one property in a parsed copy of the stack,
 * and the policy that guards it must report the violation.
 */
class PolicyViolationTests {

	private static final TerraformConfig STACK = TerraformConfig.stack();

	@Test
	void removingKeyRotationIsReported() {
		TerraformConfig copy = STACK.copy();
		resource(copy, "modules/storage", "aws_kms_key", "this").remove("enable_key_rotation");

		assertThat(StoragePolicies.bucketsAreEncryptedWithRotatingCustomerKeys(copy)).contains(
				"modules/storage/main.tf: aws_kms_key.this does not set enable_key_rotation = true",
				"modules/storage/main.tf: aws_s3_bucket_server_side_encryption_configuration.this does not encrypt with "
						+ "aws:kms under a customer key of the module that rotates");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("weakenings")
	void aWeakenedPropertyIsReported(Consumer<TerraformConfig> weaken, Function<TerraformConfig, List<String>> policy,
			String expected) {
		assertThat(policy.apply(STACK)).as("the stack as it is").isEmpty();
		TerraformConfig copy = STACK.copy();

		weaken.accept(copy);

		assertThat(policy.apply(copy)).anySatisfy(violation -> assertThat(violation).contains(expected));
	}

	static Stream<Arguments> weakenings() {
		return Stream.of(
				weakening("IMDSv1 allowed",
						tf -> Hcl.nested(resource(tf, "modules/compute", "aws_launch_template", "this"), "metadata_options")
							.get(0)
							.put("http_tokens", "optional"),
						ComputePolicies::launchTemplatesRequireImdsV2, "does not require IMDSv2"),
				weakening("an Allow of s3:*",
						tf -> statement(tf, "worker", "ReadSamples").putArray("actions").add("s3:*"),
						IamPolicies::noIamPolicyAllowsWildcardActions, "allows the wildcard action s3:*"),
				weakening("an Allow on every resource",
						tf -> statement(tf, "worker", "ReadSamples").putArray("resources").add("*"),
						IamPolicies::allowStatementsAreScopedToResources, "allows s3:GetObject on every resource"),
				weakening("an AWS managed policy attached",
						tf -> ((ObjectNode) copyOf(tf, "modules/iam/main.tf").get("resource"))
							.putObject("aws_iam_role_policy_attachment")
							.putArray("admin")
							.addObject()
							.put("policy_arn", "arn:aws:iam::aws:policy/AdministratorAccess"),
						IamPolicies::iamPoliciesAreReadableDocuments, "attaches a policy the checks cannot read"),
				weakening("the HTTP listener forwarding",
						tf -> {
							ObjectNode action = Hcl.nested(resource(tf, "modules/alb", "aws_lb_listener", "http"), "default_action").get(0);
							action.put("type", "forward");
							action.remove("redirect");
						}, ComputePolicies::albRedirectsHttpToHttps, "serves plain HTTP"),
				weakening("a TLS 1.0 listener policy",
						tf -> copyOf(tf, "modules/alb/variables.tf").withObject("/variable/ssl_policy/0")
							.put("default", "ELBSecurityPolicy-2016-08"),
						ComputePolicies::albServesHttpsWithTls12OrNewer, "ssl_policy ELBSecurityPolicy-2016-08"),
				weakening("no redrive policy", tf -> resource(tf, "modules/queues", "aws_sqs_queue", "this").remove("redrive_policy"),
						DataPolicies::queuesHaveDeadLetterQueues, "has no redrive_policy"),
				weakening("an unencrypted queue",
						tf -> resource(tf, "modules/queues", "aws_sqs_queue", "this").remove("sqs_managed_sse_enabled"),
						DataPolicies::queuesAreEncrypted, "is not encrypted"),
				weakening("no point-in-time recovery",
						tf -> resource(tf, "modules/tables", "aws_dynamodb_table", "this").remove("point_in_time_recovery"),
						DataPolicies::tablesHavePointInTimeRecovery, "has no point_in_time_recovery"),
				weakening("deletion protection off",
						tf -> resource(tf, "modules/tables", "aws_dynamodb_table", "this").put("deletion_protection_enabled", false),
						DataPolicies::tablesHaveDeletionProtection, "deletion_protection_enabled"),
				weakening("provisioned tables",
						tf -> resource(tf, "modules/tables", "aws_dynamodb_table", "this").put("billing_mode", "PROVISIONED"),
						DataPolicies::tablesAreOnDemand, "PAY_PER_REQUEST"),
				weakening("the events table without its range key",
						tf -> copyOf(tf, "modules/tables/main.tf").withObject("/locals/0/tables/events").putNull("range_key"),
						DataPolicies::tablesMatchTheAppDesign, "but the app uses"),
				weakening("the password in the state",
						tf -> {
							ObjectNode cluster = resource(tf, "modules/database", "aws_rds_cluster", "this");
							cluster.remove("manage_master_user_password");
							cluster.put("master_password", "${var.password}");
						}, DataPolicies::jobRepositoryIsEncryptedWithManagedPassword, "manage_master_user_password"),
				weakening("the TLS condition of the bucket policy removed",
						tf -> Hcl.nested(copy(tf, "modules/storage", "bucket"), "statement").get(0).remove("condition"),
						StoragePolicies::bucketsDenyNonTlsRequests, "when aws:SecureTransport is false"),
				weakening("public ACLs allowed",
						tf -> resource(tf, "modules/storage", "aws_s3_bucket_public_access_block", "this").put("block_public_acls", false),
						StoragePolicies::bucketsBlockAllPublicAccess, "block_public_acls"),
				weakening("an unencrypted root volume",
						tf -> Hcl.nested(resource(tf, "modules/compute", "aws_launch_template", "this"), "block_device_mappings", "ebs")
							.get(0)
							.put("encrypted", false),
						ComputePolicies::launchTemplatesEncryptEbs, "without encrypted = true"),
				weakening("scaling on CPU instead of instances in service",
						tf -> Hcl.nested(resource(tf, "modules/compute", "aws_autoscaling_policy", "backlog_per_instance"),
								"target_tracking_configuration", "customized_metric_specification", "metrics", "metric_stat", "metric")
							.get(1)
							.put("metric_name", "CPUUtilization"),
						ComputePolicies::workerScalingUsesBacklogPerInstance, "GroupInServiceInstances"),
				weakening("an instance refresh that replaces busy workers",
						tf -> Hcl.nested(resource(tf, "modules/compute", "aws_autoscaling_group", "this"), "instance_refresh", "preferences")
							.get(0)
							.put("scale_in_protected_instances", "Refresh"),
						ComputePolicies::scaleInProtectionIsHonoured, "scale_in_protected_instances"),
				weakening("no instance refresh",
						tf -> resource(tf, "modules/compute", "aws_autoscaling_group", "this").remove("instance_refresh"),
						ComputePolicies::groupsRefreshInstancesOnLaunchTemplateChange, "has no instance_refresh"),
				weakening("no SQS endpoint",
						tf -> copyOf(tf, "modules/network/main.tf").withObject("/resource/aws_vpc_endpoint").remove("sqs"),
						ComputePolicies::vpcHasInterfaceEndpointForSqs, "No interface VPC endpoint for sqs"),
				weakening("no DLQ alarm",
						tf -> copyOf(tf, "modules/monitoring/main.tf").withObject("/resource/aws_cloudwatch_metric_alarm").remove("dead_letters"),
						DeliveryPolicies::deadLetterQueuesAreAlarmed, "No alarm on ApproximateNumberOfMessagesVisible"),
				weakening("a nightly message of the wrong type",
						tf -> {
							ObjectNode target = Hcl.nested(resource(tf, "modules/scheduler", "aws_scheduler_schedule", "nightly_rescan"), "target").get(0);
							target.put("input", target.get("input").stringValue().replace("\"rescan\"", "\"scan\""));
						}, DeliveryPolicies::schedulerSendsTheNightlyLaunchMessage, "does not set type = \"rescan\""),
				weakening("no deploy stage",
						tf -> resource(tf, "modules/pipeline", "aws_codepipeline", "this").withArray("stage").remove(2),
						DeliveryPolicies::pipelineDeployStartsInstanceRefresh, "has no Deploy stage"),
				weakening("a module input its module does not declare",
						tf -> copyOf(tf, "main.tf").withObject("/module/tables/0").put("kms_key", "${module.samples.kms_key_arn}"),
						ReferencePolicies::moduleCallsMatchTheirModules, "passes kms_key, which modules/tables does not declare"),
				weakening("the worker group left out of the app's environment",
						tf -> copyOf(tf, "main.tf").withObject("/locals/0/app_environment").remove("TRAWL_WORKER_ASG"),
						ComputePolicies::workersKnowTheirGroupForScaleInProtection, "does not set TRAWL_WORKER_ASG"),
				weakening("the metrics namespace left out of the app's environment",
						tf -> copyOf(tf, "main.tf").withObject("/locals/0/app_environment").remove("TRAWL_METRICS_NAMESPACE"),
						DeliveryPolicies::theAppMayPublishTheAlarmedMetrics, "does not set TRAWL_METRICS_NAMESPACE"),
				weakening("metrics allowed in another namespace only",
						tf -> Hcl.nested(statement(tf, "instance", "PublishMetrics"), "condition").get(0)
							.putArray("values").add("Other"),
						DeliveryPolicies::theAppMayPublishTheAlarmedMetrics,
						"The worker role may not call cloudwatch:PutMetricData"),
				weakening("the admin group removed",
						tf -> copyOf(tf, "modules/identity/main.tf").withObject("/resource/aws_cognito_user_group").remove("admin"),
						AccessPolicies::userPoolHasTheAppRolesAsGroups, "has no group admin"),
				weakening("self sign-up allowed",
						tf -> Hcl.nested(resource(tf, "modules/identity", "aws_cognito_user_pool", "this"), "admin_create_user_config")
							.get(0)
							.put("allow_admin_create_user_only", false),
						AccessPolicies::userPoolHasTheAppRolesAsGroups, "lets people sign themselves up"),
				weakening("the issuer left out of the app's environment",
						tf -> copyOf(tf, "main.tf").withObject("/locals/0/app_environment").remove("TRAWL_OIDC_ISSUER"),
						AccessPolicies::appInstancesTrustTheUserPool, "does not set TRAWL_OIDC_ISSUER"),
				weakening("an issuer that is not the user pool's",
						tf -> copyOf(tf, "modules/identity/outputs.tf").withObject("/output/issuer_url/0")
							.put("value", "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/us-east-1_other"),
						AccessPolicies::appInstancesTrustTheUserPool, "output issuer_url is not"),
				weakening("the app left on loopback",
						tf -> copyOf(tf, "main.tf").withObject("/locals/0/app_environment").remove("TRAWL_BIND_ADDRESS"),
						AccessPolicies::appPortIsOpenToTheLoadBalancerOnly, "does not set TRAWL_BIND_ADDRESS"),
				weakening("the app port open to the internet",
						tf -> resource(tf, "modules/compute", "aws_vpc_security_group_ingress_rule", "app")
							.put("cidr_ipv4", "0.0.0.0/0"),
						AccessPolicies::appPortIsOpenToTheLoadBalancerOnly, "admits cidr_ipv4 0.0.0.0/0"),
				weakening("another security group admitted to the app port",
						tf -> copyOf(tf, "main.tf").withObject("/module/manager/0").putArray("ingress_security_group_ids")
							.add("${module.workers.security_group_id}"),
						AccessPolicies::appPortIsOpenToTheLoadBalancerOnly, "admits ${module.workers.security_group_id}"),
				weakening("no HTTPS listener",
						tf -> copyOf(tf, "modules/alb/main.tf").withObject("/resource/aws_lb_listener").remove("https"),
						ComputePolicies::albServesHttpsWithTls12OrNewer, "No load balancer listener on port 443"),
				weakening("a reference to a missing output",
						tf -> copyOf(tf, "main.tf").withObject("/module/tables/0").put("kms_key_arn", "${module.samples.kms_key}"),
						ReferencePolicies::referencesResolve, "module.samples.kms_key is not an output of modules/storage"));
	}

	private static Arguments weakening(String name, Consumer<TerraformConfig> weaken,
			Function<TerraformConfig, List<String>> policy, String expected) {
		return Arguments.of(Named.of(name, weaken), policy, expected);
	}

	private static ObjectNode copyOf(TerraformConfig tf, String file) {
		return tf.toJson(file);
	}

	private static ObjectNode resource(TerraformConfig tf, String module, String type, String name) {
		return tf.resource(module, type, name).orElseThrow().body();
	}

	private static ObjectNode copy(TerraformConfig tf, String module, String document) {
		return tf.dataSource(module, "aws_iam_policy_document", document).orElseThrow().body();
	}

	private static ObjectNode statement(TerraformConfig tf, String document, String sid) {
		return Hcl.nested(copy(tf, IamPolicies.IAM_MODULE, document), "statement")
			.stream()
			.filter(s -> sid.equals(Hcl.text(s.get("sid"))))
			.findFirst()
			.orElseThrow();
	}
}
