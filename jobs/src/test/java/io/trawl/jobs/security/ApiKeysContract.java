package io.trawl.jobs.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What every {@link ApiKeys} adapter promises, run on each database the app supports. */
abstract class ApiKeysContract {

	private DataSource dataSource;
	private ApiKeys keys;
	private final String prefix = "c" + UUID.randomUUID().toString().substring(0, 8) + "-";

	/** A database of its own for this test. */
	abstract DataSource dataSource();

	@BeforeEach
	void adapter() {
		dataSource = dataSource();
		keys = new JdbcApiKeys(dataSource);
	}

	@Test
	void aKeyIs32RandomBytesShownOnceAndOnlyItsHashIsStored() {
		ApiKeys.IssuedKey issued = keys.create(prefix + "ci", Role.OPERATOR);

		assertThat(issued.secret()).startsWith(JdbcApiKeys.PREFIX);
		assertThat(Base64.getUrlDecoder().decode(issued.secret().substring(JdbcApiKeys.PREFIX.length()))).hasSize(32);
		assertThat(keys.create(prefix + "other", Role.OPERATOR).secret()).isNotEqualTo(issued.secret());
		List<String> stored = JdbcClient.create(dataSource)
			.sql("SELECT key_hash FROM trawl_api_key WHERE name = ?")
			.param(prefix + "ci")
			.query(String.class)
			.list();
		assertThat(stored).containsExactly(JdbcApiKeys.hash(issued.secret()));
		assertThat(stored.get(0)).matches("[0-9a-f]{64}").doesNotContain(issued.secret());
		assertThat(keys.authenticate(issued.secret())).hasValueSatisfying(key -> {
			assertThat(key.name()).isEqualTo(prefix + "ci");
			assertThat(key.role()).isEqualTo(Role.OPERATOR);
			assertThat(Duration.between(key.created(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
		});
		assertThat(keys.authenticate(issued.secret() + "x")).isEmpty();
		assertThat(keys.authenticate("")).isEmpty();
	}

	@Test
	void namesAreUniqueAndChecked() {
		keys.create(prefix + "dup", Role.VIEWER);

		assertThatThrownBy(() -> keys.create(prefix + "dup", Role.ADMIN)).isInstanceOf(ApiKeys.NameTakenException.class)
			.hasMessage("An API key named '" + prefix + "dup' already exists; choose another name.");
		assertThatThrownBy(() -> keys.create("a/b", Role.VIEWER)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("The key name must be 1 to 64 letters");
		assertThatThrownBy(() -> keys.create("x".repeat(65), Role.VIEWER)).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void aRevokedKeyNoLongerAuthenticatesAndStaysListed() {
		ApiKeys.IssuedKey admin = keys.create(prefix + "admin", Role.ADMIN);
		assertThat(keys.hasActiveAdmin()).isTrue();

		assertThat(keys.revoke(prefix + "admin")).isEqualTo(ApiKeys.Revocation.REVOKED);

		assertThat(keys.authenticate(admin.secret())).isEmpty();
		assertThat(keys.revoke(prefix + "admin")).isEqualTo(ApiKeys.Revocation.ALREADY_REVOKED);
		assertThat(keys.revoke(prefix + "never")).isEqualTo(ApiKeys.Revocation.UNKNOWN);
		assertThat(keys.list()).filteredOn(key -> key.name().equals(prefix + "admin"))
			.singleElement()
			.satisfies(key -> assertThat(key.revoked()).isNotNull());
		assertThat(keys.hasActiveAdmin()).isFalse();
		assertThatThrownBy(() -> keys.create(prefix + "admin", Role.ADMIN))
			.isInstanceOf(ApiKeys.NameTakenException.class);
	}

	@Test
	void aSecondAdapterOnTheSameDatabaseFindsTheTableAndTheKeys() {
		ApiKeys.IssuedKey issued = keys.create(prefix + "kept", Role.VIEWER);

		ApiKeys again = new JdbcApiKeys(dataSource);

		assertThat(again.authenticate(issued.secret())).isPresent();
	}
}
