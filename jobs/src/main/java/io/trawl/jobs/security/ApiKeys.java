package io.trawl.jobs.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API keys that callers present in the {@code X-API-Key} header. Only a hash of each key is kept; the key itself
 * is returned once, by {@link #create}.
 */
public interface ApiKeys {

	/** Names are 1-64 characters of letters, digits, dot, underscore and hyphen. */
	Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	/** Creates a key; a name that is malformed or already taken (even by a revoked key) is refused. */
	IssuedKey create(String name, Role role);

	/** Every key, revoked ones included, oldest first. */
	List<ApiKey> list();

	/** Revokes the key of that name; the caller learns whether it was unknown, revoked now, or revoked already. */
	Revocation revoke(String name);

	/** The unrevoked key that {@code key} is, if any. */
	Optional<ApiKey> authenticate(String key);

	/** Whether an unrevoked admin key exists. */
	default boolean hasActiveAdmin() {
		return list().stream().anyMatch(key -> key.role() == Role.ADMIN && key.revoked() == null);
	}

	/** Checks a key name, saying in one sentence what is wrong with it. */
	static String checkName(String name) {
		if (name == null || !NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("The key name must be 1 to 64 letters, digits, '.', '_' or '-'"
					+ (name == null ? "." : ", not '" + (name.length() > 80 ? name.substring(0, 80) + "..." : name)
							+ "'."));
		}
		return name;
	}

	/** A key as listed: never the key nor its hash. */
	record ApiKey(String name, Role role, Instant created, Instant revoked) {
	}

	/** A key just created, with its secret: shown once, never stored. */
	record IssuedKey(ApiKey key, String secret) {
	}

	enum Revocation {
		REVOKED, ALREADY_REVOKED, UNKNOWN
	}

	/** A key name that is already taken. */
	final class NameTakenException extends IllegalArgumentException {

		public NameTakenException(String name) {
			super("An API key named '" + name + "' already exists; choose another name.");
		}
	}
}
