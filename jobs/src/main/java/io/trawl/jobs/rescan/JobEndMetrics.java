package io.trawl.jobs.rescan;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;

/** Reports every end of a rescan job execution, FAILED or not, to {@link RescanMetrics}. */
final class JobEndMetrics implements JobExecutionListener {

	private final RescanMetrics metrics;

	JobEndMetrics(RescanMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public void afterJob(JobExecution jobExecution) {
		metrics.jobEnded(jobExecution.getStatus());
	}
}
