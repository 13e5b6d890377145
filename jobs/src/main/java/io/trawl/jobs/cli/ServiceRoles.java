package io.trawl.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.trawl.jobs.partition.Role;

/**
 * What {@code trawl serve [--role manager]} and {@code trawl worker} add to their Spring settings: the role, a log
 * file of the process's own ({@code data/trawl-<role>-<pid>.log}, unless {@code TRAWL_LOG_FILE} names one) so that
 * the processes of a one-machine cluster do not write into one file, and remote partitioning as the default when a
 * partitions queue is configured.
 */
final class ServiceRoles {

	private ServiceRoles() {
	}

	/** The role {@code serve} was given, checked: all or manager; null when none was given. */
	static String serveRole(Arguments arguments) {
		String role = arguments.option("--role").map(r -> r.trim().toLowerCase(Locale.ROOT)).orElse(null);
		if (role == null || role.equals("all") || role.equals("manager")) {
			return role;
		}
		if (role.equals("worker")) {
			throw new IllegalArgumentException("serve --role is all or manager; a worker is started with ./trawl worker.");
		}
		throw new IllegalArgumentException("serve --role is all or manager, not '" + role + "'.");
	}

	/** The Spring arguments of a service with this role (null: as the environment says). */
	static String[] springArguments(Arguments arguments, String role, Map<String, String> env) {
		List<String> all = new ArrayList<>(List.of(arguments.springArguments()));
		if (role != null) {
			all.add("--trawl.role=" + role);
		}
		String effective = role != null ? role : env.getOrDefault("TRAWL_ROLE", "all").trim().toLowerCase(Locale.ROOT);
		boolean ownLog = all.stream().noneMatch(a -> a.startsWith("--logging.file.name="));
		if (ownLog && blank(env.get("TRAWL_LOG_FILE")) && !effective.equals("all")) {
			all.add("--logging.file.name=${trawl.data-dir}/trawl-" + effective + "-" + ProcessHandle.current().pid()
					+ ".log");
		}
		return all.toArray(String[]::new);
	}

	/**
	 * Defaults under every other setting: a service given a partitions queue partitions remotely unless
	 * {@code TRAWL_PARTITIONING} says otherwise ({@code application-aws.yml} reads this default), and {@code worker}
	 * is a service without a web server.
	 */
	static Properties defaults(Map<String, String> env, boolean worker) {
		Properties defaults = new Properties();
		if (!blank(env.get("TRAWL_PARTITION_QUEUE_URL")) || !blank(env.get("TRAWL_PARTITIONS_QUEUE_URL"))) {
			defaults.setProperty("trawl.partitioning-default", "remote");
		}
		if (worker) {
			defaults.setProperty(Role.SERVICE, "true");
		}
		return defaults;
	}

	private static boolean blank(String value) {
		return value == null || value.isBlank();
	}
}
