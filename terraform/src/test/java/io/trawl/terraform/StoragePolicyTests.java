package io.trawl.terraform;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StoragePolicyTests {

	private final TerraformConfig tf = TerraformConfig.stack();

	@Test
	void bucketsUseTheStorageModule() {
		assertThat(StoragePolicies.bucketsUseTheStorageModule(tf)).isEmpty();
	}

	@Test
	void bucketsAreEncryptedWithRotatingCustomerKeys() {
		assertThat(StoragePolicies.bucketsAreEncryptedWithRotatingCustomerKeys(tf)).isEmpty();
	}

	@Test
	void bucketsAreVersioned() {
		assertThat(StoragePolicies.bucketsAreVersioned(tf)).isEmpty();
	}

	@Test
	void bucketsBlockAllPublicAccess() {
		assertThat(StoragePolicies.bucketsBlockAllPublicAccess(tf)).isEmpty();
	}

	@Test
	void sampleBucketDeniesNonTlsRequests() {
		assertThat(StoragePolicies.bucketsDenyNonTlsRequests(tf)).isEmpty();
	}

	@Test
	void bucketsHaveLifecycleRules() {
		assertThat(StoragePolicies.bucketsHaveLifecycleRules(tf)).isEmpty();
	}
}
