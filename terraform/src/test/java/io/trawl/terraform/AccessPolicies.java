package io.trawl.terraform;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.trawl.terraform.TerraformConfig.Block;

/**
 * Who reaches the app and how it knows them (issue 11): a Cognito user pool whose groups are the app's roles is the
 * app's token issuer, and the app instances, which listen on every interface, admit their port from the load
 * balancer only.
 */
final class AccessPolicies {

	static final String IDENTITY_MODULE = "modules/identity";

	static final Set<String> ROLES = Set.of("viewer", "operator", "admin");

	static final String POOL = "${aws_cognito_user_pool.this.id}";

	private AccessPolicies() {
	}

	/** One user pool, closed to self sign-up, with a group per role and an app client. */
	static List<String> userPoolHasTheAppRolesAsGroups(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		Optional<Block> pool = tf.resource(IDENTITY_MODULE, "aws_cognito_user_pool", "this");
		if (pool.isEmpty()) {
			return List.of(IDENTITY_MODULE + " defines no aws_cognito_user_pool.this");
		}
		boolean adminsOnly = pool.get()
			.nested("admin_create_user_config")
			.stream()
			.anyMatch(c -> Hcl.isTrue(c.get("allow_admin_create_user_only")));
		if (!adminsOnly) {
			violations.add(pool.get().address() + " lets people sign themselves up (allow_admin_create_user_only)");
		}
		Set<String> groups = tf.resources("aws_cognito_user_group")
			.stream()
			.filter(g -> POOL.equals(g.text("user_pool_id")))
			.map(g -> g.text("name"))
			.collect(Collectors.toSet());
		ROLES.stream()
			.filter(role -> !groups.contains(role))
			.sorted()
			.forEach(role -> violations.add(IDENTITY_MODULE + ": the user pool has no group " + role
					+ ", so nobody can hold that role"));
		boolean client = tf.resources("aws_cognito_user_pool_client")
			.stream()
			.anyMatch(c -> POOL.equals(c.text("user_pool_id")) && !Hcl.isTrue(c.attribute("generate_secret"))
					&& Hcl.texts(c.attribute("allowed_oauth_flows")).contains("code"));
		if (!client) {
			violations.add(IDENTITY_MODULE + ": the user pool has no public app client with the code flow");
		}
		return violations;
	}

	/** The app instances trust the pool: TRAWL_OIDC_ISSUER is the pool's issuer URL, as Cognito writes it in iss. */
	static List<String> appInstancesTrustTheUserPool(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		String expected = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/" + POOL;
		Block issuer = tf.outputs(IDENTITY_MODULE).get("issuer_url");
		if (issuer == null || !expected.equals(issuer.text("value"))) {
			violations.add(IDENTITY_MODULE + ": output issuer_url is not " + expected);
		}
		Optional<Block> call = tf.moduleCall("", "identity");
		if (call.isEmpty() || !IDENTITY_MODULE.equals(TerraformConfig.sourceOf(call.get()))) {
			violations.add("main.tf: no module \"identity\" from ./" + IDENTITY_MODULE);
		}
		if (!"${module.identity.issuer_url}".equals(ComputePolicies.appEnvironment(tf, "TRAWL_OIDC_ISSUER"))) {
			violations.add("main.tf: local.app_environment does not set TRAWL_OIDC_ISSUER = "
					+ "module.identity.issuer_url");
		}
		violations.addAll(groupsGetTheAppEnvironment(tf));
		return violations;
	}

	/**
	 * The app binds loopback unless told otherwise: the instances set TRAWL_BIND_ADDRESS=0.0.0.0, so their security
	 * group is all that keeps others off the app port. It admits that port from the load balancer's group only: no
	 * address range, no other port, no inline rules.
	 */
	static List<String> appPortIsOpenToTheLoadBalancerOnly(TerraformConfig tf) {
		List<String> violations = new ArrayList<>();
		if (!"0.0.0.0".equals(ComputePolicies.appEnvironment(tf, "TRAWL_BIND_ADDRESS"))) {
			violations.add("main.tf: local.app_environment does not set TRAWL_BIND_ADDRESS = \"0.0.0.0\", so the app "
					+ "would listen on loopback only, out of the load balancer's reach");
		}
		violations.addAll(groupsGetTheAppEnvironment(tf));
		String ownGroup = "${aws_security_group.this.id}";
		for (Block rule : tf.resources("aws_vpc_security_group_ingress_rule")) {
			if (!rule.module().equals(ComputePolicies.COMPUTE_MODULE)
					|| !ownGroup.equals(rule.text("security_group_id"))) {
				continue;
			}
			for (String range : List.of("cidr_ipv4", "cidr_ipv6", "prefix_list_id")) {
				if (present(rule.attribute(range))) {
					violations.add(rule.address() + " admits " + range + " " + rule.text(range)
							+ " to the app instances; only the load balancer's security group may reach them");
				}
			}
			if (!present(rule.attribute("referenced_security_group_id"))) {
				violations.add(rule.address() + " does not name the security group it admits");
			}
			if (!"${var.app_port}".equals(rule.text("from_port")) || !"${var.app_port}".equals(rule.text("to_port"))) {
				violations.add(rule.address() + " admits ports " + rule.text("from_port") + "-" + rule.text("to_port")
						+ ", not only var.app_port");
			}
		}
		tf.resources("aws_security_group")
			.stream()
			.filter(g -> g.module().equals(ComputePolicies.COMPUTE_MODULE) && present(g.attribute("ingress")))
			.forEach(g -> violations.add(g.address() + " has inline ingress rules the checks cannot scope"));
		tf.resources("aws_security_group_rule")
			.stream()
			.filter(r -> r.module().equals(ComputePolicies.COMPUTE_MODULE))
			.forEach(r -> violations.add(r.address() + " is an aws_security_group_rule; use "
					+ "aws_vpc_security_group_ingress_rule from the load balancer's group"));
		for (Block call : ComputePolicies.computeCalls(tf)) {
			List<String> admitted = Hcl.texts(call.attribute("ingress_security_group_ids"));
			admitted.stream()
				.filter(group -> !group.equals("${module.alb.security_group_id}"))
				.forEach(group -> violations.add(call.address() + " admits " + group
						+ " to the app port; only module.alb.security_group_id may"));
		}
		return violations;
	}

	private static boolean present(tools.jackson.databind.JsonNode value) {
		return value != null && !value.isMissingNode() && !value.isNull();
	}

	private static List<String> groupsGetTheAppEnvironment(TerraformConfig tf) {
		List<String> calls = ComputePolicies.computeCalls(tf)
			.stream()
			.filter(c -> !"${local.app_environment}".equals(c.text("environment")))
			.map(c -> c.address() + " does not pass environment = local.app_environment")
			.toList();
		if (ComputePolicies.computeCalls(tf).isEmpty()) {
			return List.of("main.tf: no call of " + ComputePolicies.COMPUTE_MODULE);
		}
		return calls;
	}
}
