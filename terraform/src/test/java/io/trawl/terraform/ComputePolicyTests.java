package io.trawl.terraform;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ComputePolicyTests {

	private final TerraformConfig tf = TerraformConfig.stack();

	@Test
	void instancesRunInPrivateSubnets() {
		assertThat(ComputePolicies.instancesRunInPrivateSubnets(tf)).isEmpty();
	}

	@Test
	void vpcHasGatewayEndpointsForS3AndDynamoDb() {
		assertThat(ComputePolicies.vpcHasGatewayEndpointsForS3AndDynamoDb(tf)).isEmpty();
	}

	@Test
	void vpcHasInterfaceEndpointForSqs() {
		assertThat(ComputePolicies.vpcHasInterfaceEndpointForSqs(tf)).isEmpty();
	}

	@Test
	void launchTemplatesRequireImdsV2() {
		assertThat(ComputePolicies.launchTemplatesRequireImdsV2(tf)).isEmpty();
	}

	@Test
	void launchTemplatesEncryptEbs() {
		assertThat(ComputePolicies.launchTemplatesEncryptEbs(tf)).isEmpty();
	}

	@Test
	void userDataInstallsTheRuntimeAndRunsTheApp() {
		assertThat(ComputePolicies.userDataInstallsTheRuntimeAndRunsTheApp(tf)).isEmpty();
	}

	@Test
	void managerAndWorkerGroupsAreSized() {
		assertThat(ComputePolicies.managerAndWorkerGroupsAreSized(tf)).isEmpty();
	}

	@Test
	void groupsRefreshInstancesOnLaunchTemplateChange() {
		assertThat(ComputePolicies.groupsRefreshInstancesOnLaunchTemplateChange(tf)).isEmpty();
	}

	@Test
	void workerScalingUsesBacklogPerInstance() {
		assertThat(ComputePolicies.workerScalingUsesBacklogPerInstance(tf)).isEmpty();
	}

	@Test
	void workersStartFromZeroWhenWorkIsWaiting() {
		assertThat(ComputePolicies.workersStartFromZeroWhenWorkIsWaiting(tf)).isEmpty();
	}

	@Test
	void scaleInProtectionIsHonoured() {
		assertThat(ComputePolicies.scaleInProtectionIsHonoured(tf)).isEmpty();
	}

	@Test
	void workersKnowTheirGroupForScaleInProtection() {
		assertThat(ComputePolicies.workersKnowTheirGroupForScaleInProtection(tf)).isEmpty();
	}

	@Test
	void albServesHttpsWithTls12OrNewer() {
		assertThat(ComputePolicies.albServesHttpsWithTls12OrNewer(tf)).isEmpty();
	}

	@Test
	void albRedirectsHttpToHttps() {
		assertThat(ComputePolicies.albRedirectsHttpToHttps(tf)).isEmpty();
	}

	@Test
	void albForwardsToTheManagerWithHealthChecks() {
		assertThat(ComputePolicies.albForwardsToTheManagerWithHealthChecks(tf)).isEmpty();
	}
}
