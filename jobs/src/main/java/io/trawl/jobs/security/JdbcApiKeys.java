package io.trawl.jobs.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.trawl.readmodel.jdbc.SchemaDdl;

/** API keys in the app's database (H2 or PostgreSQL): plain SQL that both run; the table is created if absent. */
class JdbcApiKeys implements ApiKeys {

	/** Keys start with this, so secret scanners and people can tell what they are. */
	static final String PREFIX = "trawl_";

	private static final String SCHEMA = """
			CREATE TABLE IF NOT EXISTS trawl_api_key (
			  name VARCHAR(64) PRIMARY KEY,
			  role VARCHAR(16) NOT NULL,
			  key_hash CHAR(64) NOT NULL UNIQUE,
			  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
			  revoked_at TIMESTAMP WITH TIME ZONE
			)""";

	private final JdbcClient jdbc;
	private final SecureRandom random = new SecureRandom();

	JdbcApiKeys(DataSource dataSource) {
		this.jdbc = JdbcClient.create(dataSource);
		SchemaDdl.create(new JdbcTemplate(dataSource), SCHEMA);
	}

	@Override
	public IssuedKey create(String name, Role role) {
		ApiKeys.checkName(name);
		byte[] bytes = new byte[32];
		random.nextBytes(bytes);
		String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		Instant created = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		try {
			jdbc.sql("INSERT INTO trawl_api_key (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)")
				.params(name, role.name(), hash(secret), created.atOffset(ZoneOffset.UTC))
				.update();
		}
		catch (DuplicateKeyException e) {
			throw new NameTakenException(name);
		}
		return new IssuedKey(new ApiKey(name, role, created, null), secret);
	}

	@Override
	public List<ApiKey> list() {
		return jdbc.sql("SELECT name, role, created_at, revoked_at FROM trawl_api_key ORDER BY created_at, name")
			.query(JdbcApiKeys::key)
			.list();
	}

	@Override
	public Revocation revoke(String name) {
		int updated = jdbc.sql("UPDATE trawl_api_key SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
			.params(Instant.now().truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC), name)
			.update();
		if (updated > 0) {
			return Revocation.REVOKED;
		}
		boolean exists = jdbc.sql("SELECT COUNT(*) FROM trawl_api_key WHERE name = ?")
			.param(name)
			.query(Long.class)
			.single() > 0;
		return exists ? Revocation.ALREADY_REVOKED : Revocation.UNKNOWN;
	}

	@Override
	public Optional<ApiKey> authenticate(String key) {
		if (key == null || key.isEmpty() || key.length() > 200) {
			return Optional.empty();
		}
		return jdbc
			.sql("SELECT name, role, created_at, revoked_at FROM trawl_api_key"
					+ " WHERE key_hash = ? AND revoked_at IS NULL")
			.param(hash(key))
			.query(JdbcApiKeys::key)
			.optional();
	}

	@Override
	public boolean hasActiveAdmin() {
		return jdbc.sql("SELECT COUNT(*) FROM trawl_api_key WHERE role = ? AND revoked_at IS NULL")
			.param(Role.ADMIN.name())
			.query(Long.class)
			.single() > 0;
	}

	// a key is 32 random bytes from SecureRandom, so no one can guess it: a fast hash suffices, no slow password hash
	static String hash(String key) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", e);
		}
	}

	private static ApiKey key(ResultSet row, int index) throws SQLException {
		OffsetDateTime revoked = row.getObject("revoked_at", OffsetDateTime.class);
		return new ApiKey(row.getString("name"), Role.valueOf(row.getString("role")),
				row.getObject("created_at", OffsetDateTime.class).toInstant(),
				revoked == null ? null : revoked.toInstant());
	}
}
