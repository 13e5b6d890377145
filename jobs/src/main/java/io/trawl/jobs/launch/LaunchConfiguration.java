package io.trawl.jobs.launch;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import software.amazon.awssdk.services.sqs.SqsAsyncClient;

import io.trawl.jobs.aws.AwsProperties;
import io.trawl.jobs.queue.QueueConsumer;
import io.trawl.jobs.rescan.RescanLauncher;

/**
 * The aws profile's SQS launch queue listener. It exists only with a launch queue configured
 * ({@code TRAWL_LAUNCH_QUEUE_URL}) and enabled, so without one no SQS client or listener container is made.
 */
@Configuration(proxyBeanMethods = false)
@Profile("aws")
class LaunchConfiguration {

	/** Only the service ({@code trawl serve}) consumes launch messages, never a one-shot CLI command. */
	@Bean
	@ConditionalOnWebApplication
	@ConditionalOnExpression("'${trawl.role:all}' != 'worker' " // workers only analyse partitions
			+ "and '${trawl.aws.launch.enabled:true}' == 'true' and '${trawl.aws.launch.queue-url:}'.trim() != ''")
	LaunchQueueListener launchQueueListener(SqsAsyncClient sqsAsyncClient, RescanLauncher launcher,
			AwsProperties aws) {
		AwsProperties.Launch launch = aws.launch();
		return new LaunchQueueListener(launcher, QueueConsumer.of("launch", sqsAsyncClient, launch.queueUrl())
			.deadLetters(launch.dlqUrl())
			.pollTimeout(launch.waitTime())
			.shutdownWait(launch.waitTime().plusSeconds(10)));
	}
}
