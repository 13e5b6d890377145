package io.trawl.terraform;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.node.ObjectNode;

import io.trawl.terraform.TerraformConfig.Block;

/** IAM policies written as aws_iam_policy_document data sources, and the statements in them. */
final class PolicyDocuments {

	private static final Pattern DOCUMENT_REFERENCE = Pattern
		.compile("^\\$\\{data\\.aws_iam_policy_document\\.([A-Za-z0-9_-]+)(\\[[^]]+])?\\.json}$");

	private PolicyDocuments() {
	}

	/** The policy document a policy attribute refers to, if it is exactly a reference to one in the same module. */
	static Optional<Block> referencedBy(TerraformConfig tf, Block owner, String attribute) {
		String value = owner.text(attribute);
		if (value == null) {
			return Optional.empty();
		}
		Matcher matcher = DOCUMENT_REFERENCE.matcher(value);
		if (!matcher.matches()) {
			return Optional.empty();
		}
		return tf.dataSource(owner.module(), "aws_iam_policy_document", matcher.group(1));
	}

	static List<ObjectNode> statements(Block document) {
		return document.nested("statement");
	}

	static boolean isDeny(ObjectNode statement) {
		return "Deny".equals(Hcl.text(statement.get("effect")));
	}

	static List<String> actions(ObjectNode statement) {
		return Hcl.texts(statement.get("actions"));
	}

	static List<String> resources(ObjectNode statement) {
		return Hcl.texts(statement.get("resources"));
	}

	/** A Deny for everyone, on every action of the service, whenever the request did not come over TLS. */
	static boolean deniesInsecureTransport(ObjectNode statement, String service) {
		if (!isDeny(statement) || !actions(statement).contains(service + ":*")) {
			return false;
		}
		boolean everyone = Hcl.nested(statement, "principals")
			.stream()
			.anyMatch(p -> "*".equals(Hcl.text(p.get("type"))) && Hcl.texts(p.get("identifiers")).contains("*"));
		boolean insecure = Hcl.nested(statement, "condition")
			.stream()
			.anyMatch(c -> "Bool".equals(Hcl.text(c.get("test")))
					&& "aws:SecureTransport".equals(Hcl.text(c.get("variable")))
					&& Hcl.texts(c.get("values")).equals(List.of("false")));
		return everyone && insecure;
	}
}
