package io.trawl.jobs.rescan;

import org.springframework.batch.core.BatchStatus;

/**
 * What rescans report to monitoring: CloudWatch's {@code JobsFailed} and {@code WorkerErrors} in the aws profile,
 * nothing otherwise (no bean). An implementation never throws: monitoring that fails must not fail the work.
 */
public interface RescanMetrics {

	/** A rescan job execution ended with this status; called once per execution, on the node that ran the job. */
	void jobEnded(BatchStatus status);

	/**
	 * Errors a worker met: the samples of one written chunk whose result is FAILED or carries analyzer errors, or one
	 * partition that ended FAILED. Only called with a count above zero.
	 */
	void workerErrors(long count);
}
