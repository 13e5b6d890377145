package io.trawl.terraform;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryPolicyTests {

	private final TerraformConfig tf = TerraformConfig.stack();

	@Test
	void pipelineSourcesFromGitHubThroughCodeStarConnection() {
		assertThat(DeliveryPolicies.pipelineSourcesFromGitHubThroughCodeStarConnection(tf)).isEmpty();
	}

	@Test
	void pipelineBuildsWithBuildspec() {
		assertThat(DeliveryPolicies.pipelineBuildsWithBuildspec(tf)).isEmpty();
	}

	@Test
	void pipelineDeployStartsInstanceRefresh() {
		assertThat(DeliveryPolicies.pipelineDeployStartsInstanceRefresh(tf)).isEmpty();
	}

	@Test
	void schedulerSendsTheNightlyLaunchMessage() {
		assertThat(DeliveryPolicies.schedulerSendsTheNightlyLaunchMessage(tf)).isEmpty();
	}

	@Test
	void deadLetterQueuesAreAlarmed() {
		assertThat(DeliveryPolicies.deadLetterQueuesAreAlarmed(tf)).isEmpty();
	}

	@Test
	void failedJobsAndWorkerErrorsAreAlarmed() {
		assertThat(DeliveryPolicies.failedJobsAndWorkerErrorsAreAlarmed(tf)).isEmpty();
	}

	@Test
	void theAppMayPublishTheAlarmedMetrics() {
		assertThat(DeliveryPolicies.theAppMayPublishTheAlarmedMetrics(tf)).isEmpty();
	}

	@Test
	void dashboardShowsQueuesWorkersAndErrors() {
		assertThat(DeliveryPolicies.dashboardShowsQueuesWorkersAndErrors(tf)).isEmpty();
	}
}
