package io.trawl.jobs.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;

import io.trawl.jobs.status.JobStatus;

/** Human-readable forms of status and results. */
final class StatusText {

	private StatusText() {
	}

	static String table(List<JobStatus> jobs) {
		if (jobs.isEmpty()) {
			return "No jobs yet. Start one with: ./trawl rescan --source DIR";
		}
		StringBuilder text = new StringBuilder(String.format("%-8s %-12s %-10s %-19s %8s %8s %6s  %s%n", "EXEC",
				"JOB", "STATUS", "STARTED", "SAMPLES", "EVENTS", "ERRORS", "SOURCE"));
		for (JobStatus job : jobs) {
			text.append(String.format("%-8d %-12s %-10s %-19s %8d %8d %6d  %s%n", job.jobExecutionId(), job.jobName(),
					job.status(), job.startTime() == null ? "-" : job.startTime().withNano(0).toString(),
					job.samples(), job.resultEvents(), job.errors(), job.source()));
		}
		return text.toString().stripTrailing();
	}

	static String describe(JobStatus job) {
		StringBuilder text = new StringBuilder();
		text.append("Job execution ").append(job.jobExecutionId()).append(" (").append(job.jobName())
			.append(", instance ").append(job.jobInstanceId()).append("): ").append(job.status()).append('\n');
		text.append("  source   ").append(job.source()).append('\n');
		text.append("  rules    ").append(job.rules()).append('\n');
		text.append("  started  ").append(job.startTime()).append("   ended ").append(job.endTime()).append('\n');
		text.append(String.format("  progress %d/%d files (%.1f%%)%n", job.progress().doneFiles(),
				job.progress().totalFiles(), job.progress().percent()));
		text.append(String.format("  samples %d, files %d, result events %d, errors %d%n", job.samples(), job.files(),
				job.resultEvents(), job.errors()));
		// until the job completes, they are what its committed chunks have found so far
		String soFar = "COMPLETED".equals(job.status()) ? "" : " so far";
		if (!job.verdicts().isEmpty()) {
			text.append("  verdicts").append(soFar).append(' ').append(job.verdicts()).append('\n');
		}
		if (!job.ruleHits().isEmpty()) {
			text.append("  rule hits").append(soFar).append(' ').append(job.ruleHits()).append('\n');
		}
		if (job.diff() != null) {
			text.append(String.format("  diff     %d new, %d gone, %d changed, %d unchanged since job execution %d%n",
					job.diff().added(), job.diff().gone(), job.diff().changed(), job.diff().unchanged(),
					job.diff().base()));
		}
		text.append("  steps\n");
		for (JobStatus.StepProgress step : job.steps()) {
			text.append(String.format("    %-32s %-10s read %d, written %d, commits %d, rollbacks %d", step.name(),
					step.status(), step.readCount(), step.writeCount(), step.commitCount(), step.rollbackCount()));
			if (step.worker() != null) {
				// a remote partition: who holds it, how far it is, and a lost worker or a pending takeover
				text.append(String.format("; %.1f%% of %d, worker %s", step.percent(), step.files(), step.worker()));
				if (step.silentSeconds() != null && step.status().equals("STARTED")) {
					text.append(", heard ").append(step.silentSeconds()).append(" s ago");
				}
			}
			if (step.cluster() != null && !step.cluster().equals("running")) {
				text.append(" [").append(step.cluster()).append(']');
			}
			text.append('\n');
		}
		if (job.exitDescription() != null && !job.exitDescription().isBlank()) {
			text.append("  exit: ").append(job.exitDescription().lines().findFirst().orElse("")).append('\n');
		}
		return text.toString().stripTrailing();
	}

	/**
	 * A buffered UTF-8 writer for {@code results}, one line per sample; in the table format it has printed the
	 * header already. The caller flushes it.
	 */
	static PrintWriter resultsWriter(OutputStream out, boolean table) {
		PrintWriter writer = new PrintWriter(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
				1 << 16));
		if (table) {
			writer.println(resultsHeader());
		}
		return writer;
	}

	static String resultsHeader() {
		return String.format("%-16s %10s %-28s %7s %-10s %-30s %s", "SHA256", "SIZE", "MIME", "ENTROPY", "VERDICT",
				"YARA", "SOURCE");
	}

	static String resultRow(JsonNode row) {
		String sha = row.path("sha256").isNull() ? "(unreadable)" : row.path("sha256").asString("");
		String yara = row.path("yara").valueStream().map(JsonNode::asString).collect(Collectors.joining(","));
		String source = row.path("sources").valueStream().map(JsonNode::asString).findFirst().orElse("");
		return String.format("%-16.16s %10d %-28.28s %7.3f %-10s %-30.30s %s", sha, row.path("size").asLong(0),
				row.path("mimeType").asString(""), row.path("entropy").asDouble(0), row.path("verdict").asString(""),
				yara, source);
	}
}
