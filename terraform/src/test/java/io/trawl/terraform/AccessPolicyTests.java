package io.trawl.terraform;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessPolicyTests {

	private final TerraformConfig tf = TerraformConfig.stack();

	@Test
	void userPoolHasTheAppRolesAsGroups() {
		assertThat(AccessPolicies.userPoolHasTheAppRolesAsGroups(tf)).isEmpty();
	}

	@Test
	void appInstancesTrustTheUserPool() {
		assertThat(AccessPolicies.appInstancesTrustTheUserPool(tf)).isEmpty();
	}

	@Test
	void appPortIsOpenToTheLoadBalancerOnly() {
		assertThat(AccessPolicies.appPortIsOpenToTheLoadBalancerOnly(tf)).isEmpty();
	}
}
