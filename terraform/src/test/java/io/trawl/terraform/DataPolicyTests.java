package io.trawl.terraform;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DataPolicyTests {

	private final TerraformConfig tf = TerraformConfig.stack();

	@Test
	void tablesMatchTheAppDesign() {
		assertThat(DataPolicies.tablesMatchTheAppDesign(tf)).isEmpty();
	}

	@Test
	void tablesAreOnDemand() {
		assertThat(DataPolicies.tablesAreOnDemand(tf)).isEmpty();
	}

	@Test
	void tablesHavePointInTimeRecovery() {
		assertThat(DataPolicies.tablesHavePointInTimeRecovery(tf)).isEmpty();
	}

	@Test
	void tablesHaveDeletionProtection() {
		assertThat(DataPolicies.tablesHaveDeletionProtection(tf)).isEmpty();
	}

	@Test
	void tablesAreEncryptedWithCustomerKey() {
		assertThat(DataPolicies.tablesAreEncryptedWithCustomerKey(tf)).isEmpty();
	}

	@Test
	void queuesHaveDeadLetterQueues() {
		assertThat(DataPolicies.queuesHaveDeadLetterQueues(tf)).isEmpty();
	}

	@Test
	void queuesAreEncrypted() {
		assertThat(DataPolicies.queuesAreEncrypted(tf)).isEmpty();
	}

	@Test
	void queuesDenyNonTlsRequests() {
		assertThat(DataPolicies.queuesDenyNonTlsRequests(tf)).isEmpty();
	}

	@Test
	void jobRepositoryIsAuroraPostgresServerlessV2() {
		assertThat(DataPolicies.jobRepositoryIsAuroraPostgresServerlessV2(tf)).isEmpty();
	}

	@Test
	void jobRepositoryIsEncryptedWithManagedPassword() {
		assertThat(DataPolicies.jobRepositoryIsEncryptedWithManagedPassword(tf)).isEmpty();
	}

	@Test
	void jobRepositoryIsPrivate() {
		assertThat(DataPolicies.jobRepositoryIsPrivate(tf)).isEmpty();
	}
}
