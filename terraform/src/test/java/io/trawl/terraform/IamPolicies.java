package io.trawl.terraform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.terraform.TerraformConfig.Block;

/** Roles: one per part, least privilege, every policy a readable document, no wildcard actions. */
final class IamPolicies {

	static final String IAM_MODULE = "modules/iam";

	private static final Pattern SOURCE_DOCUMENT = Pattern
		.compile("^\\$\\{data\\.aws_iam_policy_document\\.([A-Za-z0-9_-]+)\\.json}$");

	/** part => the service principal that assumes its role. */
	static final Map<String, String> PARTS = Map.of("manager", "ec2.amazonaws.com", "worker", "ec2.amazonaws.com",
			"codebuild", "codebuild.amazonaws.com", "codepipeline", "codepipeline.amazonaws.com", "scheduler",
			"scheduler.amazonaws.com");

	/** Actions without resource-level permissions, the only ones an Allow may grant on "*". */
	static final Set<String> ACTIONS_WITHOUT_RESOURCES = Set.of("cloudwatch:PutMetricData",
			"autoscaling:DescribeInstanceRefreshes");

	/** Where a policy can be attached, and the attribute holding it. */
	private static final Map<String, String> POLICY_ATTRIBUTES = Map.of("aws_iam_role_policy", "policy", "aws_iam_policy",
			"policy", "aws_iam_role", "assume_role_policy", "aws_s3_bucket_policy", "policy", "aws_sqs_queue_policy",
			"policy");

	private IamPolicies() {
	}

	/**
	 * No Allow grants an action with a wildcard ("*", "s3:*", "s3:Get*"), nor uses NotAction. A Deny may: denying
	 * every action without TLS narrows access.
	 */
	static List<String> noIamPolicyAllowsWildcardActions(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (Block document : tf.dataSources("aws_iam_policy_document")) {
			for (ObjectNode statement : PolicyDocuments.statements(document)) {
				if (statement.has("not_actions")) {
					violations.add(document.address() + " statement " + sid(statement) + " uses not_actions");
				}
				if (PolicyDocuments.isDeny(statement)) {
					continue;
				}
				PolicyDocuments.actions(statement)
					.stream()
					.filter(action -> action.contains("*"))
					.forEach(action -> violations.add(document.address() + " statement " + sid(statement)
							+ " allows the wildcard action " + action));
			}
		}
		return violations;
	}

	/**
	 * Every policy is an aws_iam_policy_document of its module, so the checks above see all of it, and no managed
	 * policy (AWS's carry wildcards) or inline JSON is attached.
	 */
	static List<String> iamPoliciesAreReadableDocuments(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		POLICY_ATTRIBUTES.forEach((type, attribute) -> tf.resources(type)
			.stream()
			.filter(r -> PolicyDocuments.referencedBy(tf, r, attribute).isEmpty())
			.forEach(r -> violations.add(r.address() + " " + attribute + " is not a data.aws_iam_policy_document of its module")));
		for (String type : List.of("aws_iam_role_policy_attachment", "aws_iam_policy_attachment",
				"aws_iam_role_policy_attachments_exclusive", "aws_iam_user_policy", "aws_iam_group_policy")) {
			tf.resources(type).forEach(r -> violations.add(r.address() + " attaches a policy the checks cannot read"));
		}
		tf.resources("aws_iam_role")
			.stream()
			.filter(r -> r.body().has("managed_policy_arns") || r.body().has("inline_policy"))
			.forEach(r -> violations.add(r.address() + " has managed_policy_arns or inline_policy"));
		return violations;
	}

	/** Manager, worker, CodeBuild, CodePipeline and the scheduler each have a role, with a policy of their own. */
	static List<String> eachPartHasItsOwnRole(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		JsonNode roles = tf.locals(IAM_MODULE).get("roles");
		if (roles == null) {
			return List.of(IAM_MODULE + " has no local \"roles\" (part => service principal)");
		}
		PARTS.forEach((part, principal) -> {
			if (!principal.equals(Hcl.text(roles.get(part)))) {
				violations.add(IAM_MODULE + " has no role for " + part + " assumed by " + principal);
			}
			boolean ownPolicy = tf.resources("aws_iam_role_policy")
				.stream()
				.filter(p -> p.module().equals(IAM_MODULE))
				.anyMatch(p -> ("${aws_iam_role.this[\"" + part + "\"].id}").equals(p.text("role"))
						&& PolicyDocuments.referencedBy(tf, p, "policy").map(d -> d.name().equals(part)).orElse(false));
			if (!ownPolicy) {
				violations.add(IAM_MODULE + " gives the " + part + " role no policy document of its own (data.aws_iam_policy_document." + part + ")");
			}
		});
		return violations;
	}

	/** An Allow names its resources; "*" only for actions that have no resource-level permissions. */
	static List<String> allowStatementsAreScopedToResources(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		for (Block document : tf.dataSources("aws_iam_policy_document")) {
			for (ObjectNode statement : PolicyDocuments.statements(document)) {
				if (PolicyDocuments.isDeny(statement) || statement.has("principals")) {
					continue; // trust policies and resource policies name principals, not resources
				}
				List<String> resources = PolicyDocuments.resources(statement);
				if (resources.isEmpty() && !statement.has("resources")) {
					violations.add(document.address() + " statement " + sid(statement) + " names no resources");
				}
				if (resources.contains("*")) {
					PolicyDocuments.actions(statement)
						.stream()
						.filter(action -> !ACTIONS_WITHOUT_RESOURCES.contains(action))
						.forEach(action -> violations.add(document.address() + " statement " + sid(statement)
								+ " allows " + action + " on every resource"));
					if (PolicyDocuments.actions(statement).contains("cloudwatch:PutMetricData")
							&& Hcl.nested(statement, "condition").stream()
								.noneMatch(c -> "cloudwatch:namespace".equals(Hcl.text(c.get("variable"))))) {
						violations.add(document.address() + " statement " + sid(statement)
								+ " lets metrics go to any namespace (add a cloudwatch:namespace condition)");
					}
				}
			}
		}
		return violations;
	}

	/** The statements of a role's policy document in the IAM module, with those of its source_policy_documents. */
	static List<ObjectNode> statementsOf(TerraformConfig tf, String role) {
		List<ObjectNode> statements = new ArrayList<>();
		tf.dataSource(IAM_MODULE, "aws_iam_policy_document", role).ifPresent(document -> {
			statements.addAll(PolicyDocuments.statements(document));
			for (String source : Hcl.texts(document.attribute("source_policy_documents"))) {
				Matcher name = SOURCE_DOCUMENT.matcher(source);
				if (name.matches()) {
					tf.dataSource(IAM_MODULE, "aws_iam_policy_document", name.group(1))
						.ifPresent(d -> statements.addAll(PolicyDocuments.statements(d)));
				}
			}
		});
		return statements;
	}

	private static String sid(ObjectNode statement) {
		String sid = Hcl.text(statement.get("sid"));
		return sid == null ? "(without sid)" : sid;
	}
}
