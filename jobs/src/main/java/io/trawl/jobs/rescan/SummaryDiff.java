package io.trawl.jobs.rescan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;

import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.JobDiff;
import io.trawl.readmodel.query.QueryTables;

/**
 * A job summary's diff: what changed since the previous COMPLETED job of the same source. Stored by the rescan's own
 * {@code projectStep}, and again by a rebuild of the query tables once every job is projected (both jobs' samples
 * must be in the tables to be compared).
 */
public final class SummaryDiff {

	private static final int INSTANCES_PAGE = 100;

	private final JobRepository jobs;
	private final QueryTables tables;
	private final int slices;

	public SummaryDiff(JobRepository jobs, QueryTables tables) {
		this(jobs, tables, 1);
	}

	/** @param slices ranges of the sample keys compared at once, each on a thread ({@link JobDiff#counts}) */
	public SummaryDiff(JobRepository jobs, QueryTables tables, int slices) {
		this.jobs = jobs;
		this.tables = tables;
		this.slices = slices;
	}

	/**
	 * Adds to the projected summary of {@code execution}'s job its diff against the previous job, if it has one; a
	 * summary that already holds that diff is not written again.
	 */
	public void store(JobExecution execution) {
		long jobInstanceId = execution.getJobInstance().getInstanceId();
		previousCompleted(execution).ifPresent(base -> tables.summary(jobInstanceId).ifPresent(summary -> {
			DiffCounts diff = new JobDiff(tables).counts(base.getId(), base.getJobInstance().getInstanceId(),
					jobInstanceId, slices);
			if (!diff.equals(summary.diff())) {
				tables.putSummary(summary.withDiff(diff));
			}
		}));
	}

	/**
	 * The COMPLETED execution of the newest older instance of this job with the same {@code source} that completed
	 * (a completed instance runs no more, so its last execution is the completed one); instances come newest first.
	 */
	private Optional<JobExecution> previousCompleted(JobExecution execution) {
		JobInstance current = execution.getJobInstance();
		String source = execution.getJobParameters().getString("source");
		for (int start = 0;; start += INSTANCES_PAGE) {
			List<JobInstance> instances = jobs.getJobInstances(current.getJobName(), start, INSTANCES_PAGE);
			for (JobInstance instance : instances) {
				if (instance.getInstanceId() >= current.getInstanceId()) {
					continue;
				}
				JobExecution last = jobs.getLastJobExecution(instance);
				if (last != null && last.getStatus() == BatchStatus.COMPLETED
						&& Objects.equals(source, last.getJobParameters().getString("source"))) {
					return Optional.of(last);
				}
			}
			if (instances.size() < INSTANCES_PAGE) {
				return Optional.empty();
			}
		}
	}
}
