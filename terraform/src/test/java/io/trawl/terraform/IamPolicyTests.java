package io.trawl.terraform;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IamPolicyTests {

	private final TerraformConfig tf = TerraformConfig.stack();

	@Test
	void noIamPolicyUsesWildcardActions() {
		assertThat(IamPolicies.noIamPolicyAllowsWildcardActions(tf)).isEmpty();
	}

	@Test
	void iamPoliciesAreReadableDocuments() {
		assertThat(IamPolicies.iamPoliciesAreReadableDocuments(tf)).isEmpty();
	}

	@Test
	void eachPartHasItsOwnRole() {
		assertThat(IamPolicies.eachPartHasItsOwnRole(tf)).isEmpty();
	}

	@Test
	void allowStatementsAreScopedToResources() {
		assertThat(IamPolicies.allowStatementsAreScopedToResources(tf)).isEmpty();
	}
}
