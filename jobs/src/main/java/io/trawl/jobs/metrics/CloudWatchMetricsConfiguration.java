package io.trawl.jobs.metrics;

import java.time.Duration;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

import io.trawl.jobs.aws.AwsClients;
import io.trawl.jobs.aws.AwsProperties;
import io.trawl.jobs.rescan.RescanMetrics;
import io.trawl.worker.source.s3.S3ClientSettings;

/**
 * The aws profile's {@link RescanMetrics}, sent to CloudWatch. The CloudWatch client is here rather than in
 * {@code aws}: these metrics are its only use, and its short deadline is theirs.
 */
@Configuration(proxyBeanMethods = false)
@Profile("aws")
class CloudWatchMetricsConfiguration {

	/** A blank namespace turns CloudWatch metrics off: {@code trawl aws-local} has no CloudWatch. */
	private static final String PUBLISHES_METRICS = "!'${trawl.aws.metrics-namespace:Trawl}'.isBlank()";

	/** Few attempts and a short deadline: a chunk waits for its metric, and a lost data point costs little. */
	@Bean
	@ConditionalOnExpression(PUBLISHES_METRICS)
	CloudWatchClient cloudWatchClient(AwsProperties aws) {
		return AwsClients.configure(CloudWatchClient.builder(), aws, aws.endpoints().cloudwatch())
			.overrideConfiguration(o -> o.retryStrategy(S3ClientSettings.retryStrategy(3))
				.apiCallTimeout(Duration.ofSeconds(10)))
			.build();
	}

	@Bean
	@ConditionalOnExpression(PUBLISHES_METRICS)
	RescanMetrics rescanMetrics(CloudWatchClient cloudWatch, AwsProperties aws) {
		return new CloudWatchRescanMetrics(cloudWatch, aws.metricsNamespace());
	}
}
