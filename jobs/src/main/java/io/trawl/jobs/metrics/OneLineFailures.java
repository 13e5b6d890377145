package io.trawl.jobs.metrics;

import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

import io.trawl.jobs.problem.FailureReason;

/**
 * The CloudWatch client as Micrometer's registry sees it: a failed {@code PutMetricData} becomes one warning line
 * with its reason, where the registry would log an ERROR with a whole stack trace at every step while CloudWatch is
 * unreachable. The lost data points are not retried (a metric point is worth less than the next step's), and the
 * failure never reaches the job, as before.
 */
final class OneLineFailures implements CloudWatchAsyncClient {

	private static final Logger log = LoggerFactory.getLogger(OneLineFailures.class);

	private final CloudWatchAsyncClient client;

	OneLineFailures(CloudWatchAsyncClient client) {
		this.client = client;
	}

	@Override
	public CompletableFuture<PutMetricDataResponse> putMetricData(PutMetricDataRequest request) {
		return client.putMetricData(request).exceptionally(failure -> {
			log.warn("Publishing {} metric data points to CloudWatch namespace {} failed; they are dropped: {}",
					request.metricData().size(), request.namespace(), FailureReason.ofFailure(failure));
			return PutMetricDataResponse.builder().build();
		});
	}

	@Override
	public String serviceName() {
		return client.serviceName();
	}

	@Override
	public void close() {
		client.close();
	}
}
