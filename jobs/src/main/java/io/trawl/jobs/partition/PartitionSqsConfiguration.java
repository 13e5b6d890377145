package io.trawl.jobs.partition;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Profile;

import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import io.trawl.jobs.aws.AwsClients;
import io.trawl.jobs.aws.AwsProperties;

/**
 * The SQS clients for remote partitioning outside the aws profile (whose {@code AwsConfiguration} has one): local
 * samples and a JDBC event store, with only the partitions going through SQS. Region and endpoint come from
 * {@code trawl.aws.region} and {@code trawl.aws.endpoints.sqs}, as in the aws profile.
 */
@Configuration(proxyBeanMethods = false)
@Profile("!aws")
@Conditional(Role.UsesPartitionQueue.class)
class PartitionSqsConfiguration {

	@Bean(destroyMethod = "close")
	SqsClient sqsClient(AwsProperties aws) {
		return AwsClients.configure(SqsClient.builder(), aws, aws.endpoints() == null ? null : aws.endpoints().sqs())
			.build();
	}

	/** The workers' listener container's client ({@code QueueConsumer}); lazy, so a manager never makes one. */
	@Bean(destroyMethod = "close")
	@Lazy
	SqsAsyncClient sqsAsyncClient(AwsProperties aws) {
		return AwsClients.configure(SqsAsyncClient.builder(), aws,
				aws.endpoints() == null ? null : aws.endpoints().sqs()).build();
	}
}
