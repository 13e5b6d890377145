package io.trawl.jobs.partition;

import java.net.URI;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sqs.SqsClient;

import io.trawl.jobs.aws.AwsProperties;

/**
 * The SQS client for remote partitioning outside the aws profile (whose {@code AwsConfiguration} has one): local
 * samples and a JDBC event store, with only the partitions going through SQS. Region and endpoint come from
 * {@code trawl.aws.region} and {@code trawl.aws.endpoints.sqs}, as in the aws profile.
 */
@Configuration(proxyBeanMethods = false)
@Profile("!aws")
@Conditional(Role.UsesPartitionQueue.class)
class PartitionSqsConfiguration {

	@Bean(destroyMethod = "close")
	SqsClient sqsClient(AwsProperties aws) {
		var builder = SqsClient.builder().region(region(aws));
		String endpoint = aws.endpoints() == null ? null : aws.endpoints().sqs();
		if (endpoint != null && !endpoint.isBlank()) {
			builder.endpointOverride(URI.create(endpoint.trim()));
		}
		return builder.build();
	}

	private static Region region(AwsProperties aws) {
		if (aws.region() != null && !aws.region().isBlank()) {
			return Region.of(aws.region().trim());
		}
		try {
			return new DefaultAwsRegionProviderChain().getRegion();
		}
		catch (RuntimeException e) {
			throw new IllegalStateException("Remote partitioning needs an AWS region for SQS; set AWS_REGION (for "
					+ "example eu-west-1).", e);
		}
	}
}
