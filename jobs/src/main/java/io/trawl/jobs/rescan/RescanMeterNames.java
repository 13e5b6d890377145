package io.trawl.jobs.rescan;

/**
 * The Micrometer names of the two meters Terraform's alarms watch, counted by {@link JobEndMetrics} and
 * {@link WorkerErrorMetrics}. The aws profile publishes them to CloudWatch under their alarm names
 * ({@code metrics.CloudWatchMetricsConfiguration}); {@code /actuator/prometheus} shows them as {@code ..._total}.
 */
public final class RescanMeterNames {

	/** Rescan job executions that ended FAILED; CloudWatch's {@code JobsFailed}. */
	public static final String JOBS_FAILED = "trawl.jobs.failed";

	/** Results FAILED or with analyzer errors, and partitions that ended FAILED; CloudWatch's {@code WorkerErrors}. */
	public static final String WORKER_ERRORS = "trawl.worker.errors";

	private RescanMeterNames() {
	}
}
