package io.trawl.terraform;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import tools.jackson.databind.node.ObjectNode;

import io.trawl.terraform.TerraformConfig.Block;

/** The buckets: customer keys that rotate, versioning, no public access, TLS only, lifecycle rules. */
final class StoragePolicies {

	static final String BUCKET_MODULE = "modules/storage";

	private StoragePolicies() {
	}

	/** Both the samples and the artifacts go through the storage module, and no bucket is made elsewhere. */
	static List<String> bucketsUseTheStorageModule(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (String name : List.of("samples", "artifacts")) {
			Optional<Block> call = tf.moduleCall("", name);
			if (call.isEmpty() || !BUCKET_MODULE.equals(TerraformConfig.sourceOf(call.get()))) {
				violations.add("The root module has no module \"" + name + "\" with source ./" + BUCKET_MODULE);
			}
		}
		tf.resources("aws_s3_bucket")
			.stream()
			.filter(b -> !b.module().equals(BUCKET_MODULE))
			.forEach(b -> violations.add(b.address() + " is made outside " + BUCKET_MODULE + ", without its guarantees"));
		return violations;
	}

	static List<String> bucketsAreEncryptedWithRotatingCustomerKeys(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (Block key : tf.resources("aws_kms_key")) {
			if (!key.isTrue("enable_key_rotation")) {
				violations.add(key.address() + " does not set enable_key_rotation = true");
			}
		}
		forEachBucket(tf, violations, bucket -> {
			Optional<Block> encryption = configOf(tf, bucket, "aws_s3_bucket_server_side_encryption_configuration");
			if (encryption.isEmpty()) {
				return List.of(bucket.address() + " has no server-side encryption configuration");
			}
			List<ObjectNode> defaults = encryption.get().nested("rule", "apply_server_side_encryption_by_default");
			boolean kmsWithRotatingKey = defaults.stream()
				.anyMatch(d -> "aws:kms".equals(Hcl.text(d.get("sse_algorithm")))
						&& rotatingKey(tf, bucket.module(), Hcl.text(d.get("kms_master_key_id"))));
			return kmsWithRotatingKey ? List.of()
					: List.of(encryption.get().address()
							+ " does not encrypt with aws:kms under a customer key of the module that rotates");
		});
		return violations;
	}

	static List<String> bucketsAreVersioned(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		forEachBucket(tf, violations, bucket -> {
			boolean enabled = configOf(tf, bucket, "aws_s3_bucket_versioning").stream()
				.flatMap(v -> v.nested("versioning_configuration").stream())
				.anyMatch(c -> "Enabled".equals(Hcl.text(c.get("status"))));
			return enabled ? List.of() : List.of(bucket.address() + " has no versioning with status Enabled");
		});
		return violations;
	}

	static List<String> bucketsBlockAllPublicAccess(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		forEachBucket(tf, violations, bucket -> {
			Optional<Block> block = configOf(tf, bucket, "aws_s3_bucket_public_access_block");
			if (block.isEmpty()) {
				return List.of(bucket.address() + " has no public access block");
			}
			return Set.of("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
				.stream()
				.filter(flag -> !block.get().isTrue(flag))
				.sorted()
				.map(flag -> block.get().address() + " does not set " + flag + " = true")
				.toList();
		});
		return violations;
	}

	static List<String> bucketsDenyNonTlsRequests(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		forEachBucket(tf, violations, bucket -> {
			Optional<Block> policy = configOf(tf, bucket, "aws_s3_bucket_policy");
			if (policy.isEmpty()) {
				return List.of(bucket.address() + " has no bucket policy");
			}
			Optional<Block> document = PolicyDocuments.referencedBy(tf, policy.get(), "policy");
			if (document.isEmpty()) {
				return List.of(policy.get().address() + " does not use an aws_iam_policy_document of its module");
			}
			String arn = bucket.reference() + ".arn";
			boolean denies = PolicyDocuments.statements(document.get())
				.stream()
				.filter(s -> PolicyDocuments.deniesInsecureTransport(s, "s3"))
				.map(PolicyDocuments::resources)
				.anyMatch(r -> r.contains("${" + arn + "}") && r.contains("${" + arn + "}/*"));
			return denies ? List.of()
					: List.of(document.get().address()
							+ " has no statement denying s3:* on the bucket and its objects when aws:SecureTransport is false");
		});
		return violations;
	}

	static List<String> bucketsHaveLifecycleRules(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		forEachBucket(tf, violations, bucket -> {
			Optional<Block> lifecycle = configOf(tf, bucket, "aws_s3_bucket_lifecycle_configuration");
			if (lifecycle.isEmpty()) {
				return List.of(bucket.address() + " has no lifecycle configuration");
			}
			List<ObjectNode> rules = lifecycle.get().nested("rule");
			List<String> missing = new ArrayList<>();
			if (rules.stream().noneMatch(r -> !r.path("abort_incomplete_multipart_upload").isEmpty())) {
				missing.add(lifecycle.get().address() + " does not abort incomplete multipart uploads");
			}
			if (rules.stream().noneMatch(r -> !r.path("noncurrent_version_expiration").isEmpty())) {
				missing.add(lifecycle.get().address() + " keeps noncurrent versions forever");
			}
			rules.stream()
				.filter(r -> !"Enabled".equals(Hcl.text(r.get("status"))))
				.forEach(r -> missing.add(lifecycle.get().address() + " has a rule that is not Enabled: " + r.get("id")));
			return missing;
		});
		return violations;
	}

	private interface BucketCheck {

		List<String> check(Block bucket);
	}

	private static void forEachBucket(TerraformConfig tf, List<String> violations, BucketCheck check) {
		List<Block> buckets = tf.resources("aws_s3_bucket");
		if (buckets.isEmpty()) {
			violations.add("No aws_s3_bucket is defined");
		}
		buckets.forEach(bucket -> violations.addAll(check.check(bucket)));
	}

	/** The resource of {@code type} in the bucket's module whose bucket attribute refers to it. */
	private static Optional<Block> configOf(TerraformConfig tf, Block bucket, String type) {
		return tf.resources(type)
			.stream()
			.filter(c -> c.module().equals(bucket.module()))
			.filter(c -> {
				String target = c.text("bucket");
				return target != null && target.startsWith("${" + bucket.reference() + ".");
			})
			.findFirst();
	}

	private static boolean rotatingKey(TerraformConfig tf, String module, String keyReference) {
		if (keyReference == null || !keyReference.matches("\\$\\{aws_kms_key\\.[A-Za-z0-9_-]+\\.arn}")) {
			return false;
		}
		String name = keyReference.substring("${aws_kms_key.".length(), keyReference.length() - ".arn}".length());
		return tf.resource(module, "aws_kms_key", name).map(k -> k.isTrue("enable_key_rotation")).orElse(false);
	}
}
