package io.trawl.jobs.rescan;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the rescan job executions that end FAILED ({@value RescanMeterNames#JOBS_FAILED}), on the node that ran the
 * job. The counter is registered with the job, before any ends, so a push registry reports it every step: 0 while no
 * job failed, which gives CloudWatch's {@code JobsFailed} alarm data even on quiet days.
 */
final class JobEndMetrics implements JobExecutionListener {

	private final Counter failed;

	JobEndMetrics(MeterRegistry registry) {
		this.failed = Counter.builder(RescanMeterNames.JOBS_FAILED)
			.description("Rescan job executions that ended FAILED")
			.register(registry);
	}

	@Override
	public void afterJob(JobExecution jobExecution) {
		if (jobExecution.getStatus() == BatchStatus.FAILED) {
			failed.increment();
		}
	}
}
