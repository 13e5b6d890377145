package io.trawl.jobs.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.audit.AuditLog;
import io.trawl.jobs.security.ApiKeys;
import io.trawl.jobs.security.Role;

/**
 * {@code ./trawl api-key create|list|revoke}, against the local database or, with {@code TRAWL_URL}, the service
 * ({@link HttpApiKeys}). A created key is printed once, alone on the last stdout line; nothing prints it again.
 */
final class ApiKeyCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ApiKeys keys;
	private final PrintStream out;
	/** Who is acting, for the audit log; null when the service writes the audit line itself. */
	private final String auditPrincipal;

	ApiKeyCommand(ApiKeys keys, PrintStream out, String auditPrincipal) {
		this.keys = keys;
		this.out = out;
		this.auditPrincipal = auditPrincipal;
	}

	/** The local user, as the audit log names a key change made through the local database. */
	static String localPrincipal() {
		return "local:" + System.getProperty("user.name", "unknown");
	}

	/** Checks the arguments before anything starts, so a typo costs no database. */
	static void check(Arguments arguments) {
		String action = arguments.positionals().isEmpty() ? "" : arguments.positionals().get(0);
		switch (action) {
			case "create" -> {
				ApiKeys.checkName(arguments.required("--name"));
				Role.of(arguments.required("--role"));
			}
			case "list" -> {
			}
			case "revoke" -> ApiKeys.checkName(name(arguments));
			default -> throw new IllegalArgumentException(
					"api-key needs create, list or revoke" + (action.isEmpty() ? "." : ", not '" + action + "'."));
		}
	}

	int run(Arguments arguments) {
		check(arguments);
		return switch (arguments.positionals().get(0)) {
			case "create" -> create(arguments.required("--name"), Role.of(arguments.required("--role")));
			case "list" -> list(arguments.flag("--json"));
			default -> revoke(name(arguments));
		};
	}

	private int create(String name, Role role) {
		ApiKeys.IssuedKey issued = keys.create(name, role);
		audit("api-key.create", Map.of("name", name, "role", role.label()));
		out.println("Created API key '" + name + "' with role " + role.label()
				+ ". Store the key now: it is not shown again.");
		out.println(issued.secret());
		return 0;
	}

	private int list(boolean asJson) {
		List<ApiKeys.ApiKey> all = keys.list();
		if (asJson) {
			out.println(JSON.writeValueAsString(all.stream().map(key -> {
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("name", key.name());
				row.put("role", key.role().label());
				row.put("created", key.created() == null ? null : key.created().toString());
				row.put("revoked", key.revoked() == null ? null : key.revoked().toString());
				return row;
			}).toList()));
			return 0;
		}
		int width = Math.max(4, all.stream().mapToInt(key -> key.name().length()).max().orElse(4));
		String format = "%-" + width + "s  %-8s  %-24s  %s%n";
		out.printf(format, "NAME", "ROLE", "CREATED", "REVOKED");
		for (ApiKeys.ApiKey key : all) {
			out.printf(format, key.name(), key.role().label(), key.created(),
					key.revoked() == null ? "-" : key.revoked().toString());
		}
		return 0;
	}

	private int revoke(String name) {
		switch (keys.revoke(name)) {
			case REVOKED -> {
				audit("api-key.revoke", Map.of("name", name));
				out.println("Revoked API key '" + name + "'.");
				return 0;
			}
			case ALREADY_REVOKED -> {
				out.println("API key '" + name + "' was already revoked.");
				return 0;
			}
			default -> throw new IllegalArgumentException("There is no API key named '" + name + "'.");
		}
	}

	private void audit(String action, Map<String, ?> details) {
		if (auditPrincipal != null) {
			AuditLog.record(action, auditPrincipal, new java.util.TreeMap<>(details));
		}
	}

	private static String name(Arguments arguments) {
		if (arguments.positionals().size() < 2) {
			throw new IllegalArgumentException("api-key revoke needs the NAME of the key.");
		}
		return arguments.positionals().get(1);
	}
}
