package io.trawl.jobs.cli;

import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.core.env.Environment;

import io.trawl.jobs.status.JobStatus;

/**
 * What {@code trawl demo} leaves on the screen for a person, on stderr, under the progress bar: the verdict counts,
 * the top rule hits and the next two commands. The JSON line stays the last line of stdout.
 */
final class DemoSummary {

	private static final int TOP_RULES = 5;

	private DemoSummary() {
	}

	static String of(JobStatus job, Environment environment) {
		return of(job, environment, true);
	}

	/** @param next whether to end with the next commands to try (after the demo's last night only) */
	static String of(JobStatus job, Environment environment, boolean next) {
		String address = environment.getProperty("server.address", "127.0.0.1");
		String host = address.equals("0.0.0.0") || address.equals("::") ? "127.0.0.1" : address;
		String port = environment.getProperty("server.port", "8080");
		StringBuilder text = new StringBuilder();
		text.append("\nJob ").append(job.jobExecutionId()).append(' ').append(job.status()).append(": ")
			.append(job.samples()).append(" samples, ")
			.append(job.verdicts().isEmpty() ? "no verdicts"
					: job.verdicts().entrySet().stream()
						.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
						.map(v -> v.getValue() + " " + v.getKey())
						.collect(Collectors.joining(", ")))
			.append(".\n");
		if (job.diff() != null) {
			text.append("Since job ").append(job.diff().base()).append(": ").append(job.diff().added()).append(" new, ")
				.append(job.diff().gone()).append(" gone, ").append(job.diff().changed()).append(" changed, ")
				.append(job.diff().unchanged()).append(" unchanged (./trawl diff ").append(job.diff().base())
				.append(' ').append(job.jobExecutionId()).append(").\n");
		}
		if (job.ruleHits().isEmpty()) {
			text.append("No rule matched.\n");
		}
		else {
			text.append("Top rule hits:\n");
			job.ruleHits().entrySet().stream()
				.sorted(Map.Entry.<String, Long>comparingByValue().reversed()
					.thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
				.limit(TOP_RULES)
				.forEach(rule -> text.append(String.format("  %5d  %s%n", rule.getValue(), rule.getKey())));
		}
		if (!next) {
			return text.toString();
		}
		text.append("Next:\n")
			.append("  ./trawl results --job ").append(job.jobExecutionId()).append(" --format table\n")
			.append("  ./trawl serve     then open http://").append(host).append(':').append(port)
			.append("/ui/jobs and log in with the key in data/admin.key\n");
		return text.toString();
	}
}
