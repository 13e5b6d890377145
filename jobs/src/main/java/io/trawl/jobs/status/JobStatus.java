package io.trawl.jobs.status;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import io.trawl.readmodel.query.DiffCounts;

/**
 * Where a job is and what it found: the contract of {@code trawl status --json} and {@code GET /api/jobs/{id}}.
 * Counts come from the projected summary once the job has one, and live from the job repository and event store
 * while it runs. {@code exitDescription} is one line without Java type names (the full trace is in the log), and
 * {@code launchedBy} names who launched the job: a key name or token subject, {@code sqs}, {@code schedule} or
 * {@code cli}. {@code diff} counts what changed since the previous COMPLETED job of the same source (none for a
 * source's first job, or before the job is projected).
 */
public record JobStatus(long jobExecutionId, long jobInstanceId, String jobName, String status, String exitCode,
		String exitDescription, LocalDateTime startTime, LocalDateTime endTime, String source, String rules,
		String requestId, long samples, long files, long resultEvents, long errors, Map<String, Long> verdicts,
		Map<String, Long> ruleHits, Progress progress, List<StepProgress> steps, String launchedBy, DiffCounts diff) {

	/** @param totalFiles locations the partitioner found, or -1 before it ran */
	public record Progress(long doneFiles, long totalFiles, double percent) {
	}

	/**
	 * One step execution. A partition also has {@code files} (its range's locations; -1 unknown) and {@code percent};
	 * a remote one its {@code worker}, how long that worker has been silent ({@code silentSeconds}; null before any
	 * worker took it) and, in {@code cluster}, what the cluster does about it: {@code running}, {@code waiting} (for a
	 * worker), {@code lost worker} (silent past trawl.partitions.takeover-after), {@code takeover pending} (sent again
	 * for another worker), {@code handed back} (by a stopping worker); null for a local partition or another step.
	 */
	public record StepProgress(String name, String status, long readCount, long writeCount, long commitCount,
			long rollbackCount, LocalDateTime startTime, LocalDateTime endTime, long files, double percent,
			String worker, Long silentSeconds, String cluster) {
	}
}
