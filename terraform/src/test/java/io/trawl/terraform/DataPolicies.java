package io.trawl.terraform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.terraform.TerraformConfig.Block;

/** The result tables, the queues and the job repository. */
final class DataPolicies {

	static final String TABLES_MODULE = "modules/tables";

	static final String QUEUES_MODULE = "modules/queues";

	/** The app's design (readmodel DynamoDbTables): table => hash key and range key (null for none), all strings. */
	static final Map<String, List<String>> APP_TABLES = appTables();

	private DataPolicies() {
	}

	private static Map<String, List<String>> appTables() {
		Map<String, List<String>> tables = new TreeMap<>();
		tables.put("events", List.of("pk", "sk"));
		tables.put("job-samples", List.of("pk", "sk"));
		tables.put("samples", List.of("sha256"));
		tables.put("jobs", List.of("jobInstanceId"));
		tables.put("rule-hits", List.of("pk", "sk"));
		tables.put("rule-jobs", List.of("rule", "job"));
		tables.put("manifests", List.of("pk", "sk"));
		tables.put("rulesets", List.of("pk", "sk"));
		tables.put("bases", List.of("pk"));
		return tables;
	}

	/** The tables module makes one table per entry of local.tables, named <prefix>-<entry>, keyed as the app reads. */
	static List<String> tablesMatchTheAppDesign(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		Map<String, List<String>> declared = new TreeMap<>();
		JsonNode tables = tf.locals(TABLES_MODULE).get("tables");
		if (tables == null) {
			return List.of(TABLES_MODULE + " has no local \"tables\" describing the app's tables");
		}
		tables.forEachEntry((name, keys) -> {
			List<String> schema = new ArrayList<>();
			schema.add(Hcl.text(keys.get("hash_key")));
			String range = Hcl.text(keys.get("range_key"));
			if (range != null) {
				schema.add(range);
			}
			declared.put(name, schema);
		});
		if (!declared.equals(APP_TABLES)) {
			violations.add(TABLES_MODULE + " declares the tables " + declared + " but the app uses " + APP_TABLES);
		}
		List<Block> resources = tf.resources("aws_dynamodb_table");
		if (resources.isEmpty()) {
			violations.add("No aws_dynamodb_table is defined");
		}
		for (Block table : resources) {
			if (!table.module().equals(TABLES_MODULE) || !"${local.tables}".equals(table.text("for_each"))) {
				violations.add(table.address() + " is not one of the tables of local.tables in " + TABLES_MODULE);
				continue;
			}
			if (!"${var.name_prefix}-${each.key}".equals(table.text("name"))) {
				violations.add(table.address() + " is not named <name_prefix>-<table>, as the app expects");
			}
			if (!"${each.value.hash_key}".equals(table.text("hash_key"))
					|| !"${each.value.range_key}".equals(table.text("range_key"))) {
				violations.add(table.address() + " does not take its keys from local.tables");
			}
			if (table.nested("attribute").stream().anyMatch(a -> !"S".equals(Hcl.text(a.get("type"))))) {
				violations.add(table.address() + " has a key attribute that is not a string (S)");
			}
		}
		return violations;
	}

	static List<String> tablesAreOnDemand(TerraformConfig tf) {
		return eachTable(tf, t -> "PAY_PER_REQUEST".equals(t.text("billing_mode")), "is not billed PAY_PER_REQUEST");
	}

	static List<String> tablesHavePointInTimeRecovery(TerraformConfig tf) {
		return eachTable(tf, t -> t.nested("point_in_time_recovery").stream().anyMatch(p -> Hcl.isTrue(p.get("enabled"))),
				"has no point_in_time_recovery { enabled = true }");
	}

	static List<String> tablesHaveDeletionProtection(TerraformConfig tf) {
		return eachTable(tf, t -> t.isTrue("deletion_protection_enabled"), "does not set deletion_protection_enabled = true");
	}

	static List<String> tablesAreEncryptedWithCustomerKey(TerraformConfig tf) {
		return eachTable(tf,
				t -> t.nested("server_side_encryption")
					.stream()
					.anyMatch(s -> Hcl.isTrue(s.get("enabled")) && Hcl.text(s.get("kms_key_arn")) != null),
				"is not encrypted with a customer key (server_side_encryption with kms_key_arn)");
	}

	/**
	 * The launch and partitions queues exist, and every queue that is not itself a dead-letter queue sends what
	 * fails maxReceiveCount times to one.
	 */
	static List<String> queuesHaveDeadLetterQueues(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		JsonNode queues = tf.locals(QUEUES_MODULE).get("queues");
		for (String queue : List.of("launch", "partitions")) {
			if (queues == null || !queues.has(queue)) {
				violations.add(QUEUES_MODULE + " local.queues has no \"" + queue + "\" queue");
			}
		}
		List<Block> deadLetterQueues = new ArrayList<>();
		List<Block> sources = new ArrayList<>();
		for (Block queue : tf.resources("aws_sqs_queue")) {
			String name = queue.text("name");
			if (name != null && name.endsWith("-dlq")) {
				deadLetterQueues.add(queue);
			}
			else {
				sources.add(queue);
			}
		}
		if (sources.isEmpty()) {
			violations.add("No aws_sqs_queue is defined");
		}
		for (Block queue : sources) {
			String redrive = queue.text("redrive_policy");
			boolean toDeadLetterQueue = redrive != null && deadLetterQueues.stream()
				.filter(d -> d.module().equals(queue.module()))
				.anyMatch(d -> redrive.matches("(?s).*deadLetterTargetArn\\s*=\\s*aws_sqs_queue\\." + d.name() + "\\b.*"));
			if (!toDeadLetterQueue || !redrive.matches("(?s).*maxReceiveCount\\s*=.*")) {
				violations.add(queue.address()
						+ " has no redrive_policy with a deadLetterTargetArn of a -dlq queue and a maxReceiveCount");
			}
		}
		return violations;
	}

	static List<String> queuesAreEncrypted(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (Block queue : tf.resources("aws_sqs_queue")) {
			if (!queue.isTrue("sqs_managed_sse_enabled") && queue.text("kms_master_key_id") == null) {
				violations.add(queue.address() + " is not encrypted (sqs_managed_sse_enabled or kms_master_key_id)");
			}
		}
		return violations;
	}

	static List<String> queuesDenyNonTlsRequests(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (Block queue : tf.resources("aws_sqs_queue")) {
			String name = queue.text("name");
			if (name != null && name.endsWith("-dlq")) {
				continue;
			}
			boolean denies = tf.resources("aws_sqs_queue_policy")
				.stream()
				.filter(p -> p.module().equals(queue.module()) && p.refersTo(queue))
				.map(p -> PolicyDocuments.referencedBy(tf, p, "policy"))
				.flatMap(Optional::stream)
				.flatMap(d -> PolicyDocuments.statements(d).stream())
				.anyMatch(s -> PolicyDocuments.deniesInsecureTransport(s, "sqs"));
			if (!denies) {
				violations.add(queue.address() + " has no queue policy denying requests without TLS");
			}
		}
		return violations;
	}

	static List<String> jobRepositoryIsAuroraPostgresServerlessV2(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> clusters = tf.resources("aws_rds_cluster");
		if (clusters.isEmpty()) {
			return List.of("No aws_rds_cluster is defined for the job repository");
		}
		for (Block cluster : clusters) {
			if (!"aurora-postgresql".equals(cluster.text("engine"))) {
				violations.add(cluster.address() + " is not engine = \"aurora-postgresql\"");
			}
			String mode = cluster.text("engine_mode");
			if (mode != null && !"provisioned".equals(mode)) {
				violations.add(cluster.address() + " has engine_mode " + mode + "; Serverless v2 runs in provisioned mode");
			}
			List<ObjectNode> scaling = cluster.nested("serverlessv2_scaling_configuration");
			if (scaling.isEmpty() || !scaling.get(0).has("min_capacity") || !scaling.get(0).has("max_capacity")) {
				violations.add(cluster.address() + " has no serverlessv2_scaling_configuration with min and max capacity");
			}
			List<Block> instances = tf.resources("aws_rds_cluster_instance")
				.stream()
				.filter(i -> i.module().equals(cluster.module()) && i.refersTo(cluster))
				.toList();
			if (instances.isEmpty()) {
				violations.add(cluster.address() + " has no aws_rds_cluster_instance");
			}
			instances.stream()
				.filter(i -> !"db.serverless".equals(i.text("instance_class")))
				.forEach(i -> violations.add(i.address() + " is not instance_class = \"db.serverless\""));
		}
		return violations;
	}

	static List<String> jobRepositoryIsEncryptedWithManagedPassword(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		List<Block> clusters = tf.resources("aws_rds_cluster");
		if (clusters.isEmpty()) {
			return List.of("No aws_rds_cluster is defined for the job repository");
		}
		for (Block cluster : clusters) {
			if (!cluster.isTrue("storage_encrypted") || cluster.text("kms_key_id") == null) {
				violations.add(cluster.address() + " does not set storage_encrypted = true with a kms_key_id");
			}
			if (!cluster.isTrue("manage_master_user_password")) {
				violations.add(cluster.address() + " does not set manage_master_user_password = true (Secrets Manager)");
			}
			if (cluster.body().has("master_password")) {
				violations.add(cluster.address() + " sets master_password, which would put the password in the state");
			}
			if (!cluster.isTrue("deletion_protection")) {
				violations.add(cluster.address() + " does not set deletion_protection = true");
			}
		}
		return violations;
	}

	static List<String> jobRepositoryIsPrivate(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		tf.resources("aws_rds_cluster_instance")
			.stream()
			.filter(i -> i.isTrue("publicly_accessible"))
			.forEach(i -> violations.add(i.address() + " is publicly accessible"));
		Optional<Block> call = tf.moduleCall("", "database");
		if (call.isEmpty() || !"${module.network.private_subnet_ids}".equals(call.get().text("subnet_ids"))) {
			violations.add("The root module's module \"database\" does not run in module.network.private_subnet_ids");
		}
		tf.resources("aws_vpc_security_group_ingress_rule")
			.stream()
			.filter(r -> r.module().equals("modules/database") && r.body().has("cidr_ipv4"))
			.forEach(r -> violations.add(r.address() + " opens the database to an address range instead of a security group"));
		return violations;
	}

	private interface TableCheck {

		boolean holds(Block table);
	}

	private static List<String> eachTable(TerraformConfig tf, TableCheck check, String problem) {
		List<Block> tables = tf.resources("aws_dynamodb_table");
		if (tables.isEmpty()) {
			return List.of("No aws_dynamodb_table is defined");
		}
		return tables.stream().filter(t -> !check.holds(t)).map(t -> t.address() + " " + problem).toList();
	}
}
