package io.trawl.jobs.metrics;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;

import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

import io.trawl.jobs.rescan.RescanMetrics;

/**
 * {@link RescanMetrics} as CloudWatch metrics without dimensions, which Terraform's alarms watch:
 * {@value #JOBS_FAILED} (1 when a job ends FAILED, 0 when it ends otherwise, so the metric always has data) and
 * {@value #WORKER_ERRORS} (a count per written chunk with errors, and 1 per failed partition). One PutMetricData call
 * each; a call that fails is logged as a warning and the job goes on.
 */
final class CloudWatchRescanMetrics implements RescanMetrics {

	static final String JOBS_FAILED = "JobsFailed";
	static final String WORKER_ERRORS = "WorkerErrors";
	private static final Logger log = LoggerFactory.getLogger(CloudWatchRescanMetrics.class);

	private final CloudWatchClient cloudWatch;
	private final String namespace;

	CloudWatchRescanMetrics(CloudWatchClient cloudWatch, String namespace) {
		this.cloudWatch = cloudWatch;
		this.namespace = namespace;
	}

	@Override
	public void jobEnded(BatchStatus status) {
		put(JOBS_FAILED, status == BatchStatus.FAILED ? 1 : 0);
	}

	@Override
	public void workerErrors(long count) {
		put(WORKER_ERRORS, count);
	}

	private void put(String metric, double value) {
		try {
			cloudWatch.putMetricData(b -> b.namespace(namespace).metricData(d -> d.metricName(metric)
				.unit(StandardUnit.COUNT)
				.value(value)
				.timestamp(Instant.now())));
		}
		catch (RuntimeException e) {
			log.warn("Publishing {}/{} = {} to CloudWatch failed; the work goes on without it: {}", namespace, metric,
					value, e.toString());
		}
	}
}
