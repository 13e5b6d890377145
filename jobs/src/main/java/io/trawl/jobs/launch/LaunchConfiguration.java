package io.trawl.jobs.launch;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import software.amazon.awssdk.services.sqs.SqsClient;

import io.trawl.jobs.aws.AwsProperties;
import io.trawl.jobs.rescan.RescanLauncher;

/** The aws profile's SQS launch queue listener. */
@Configuration(proxyBeanMethods = false)
@Profile("aws")
class LaunchConfiguration {

	/** Only the service ({@code trawl serve}) consumes launch messages, never a one-shot CLI command. */
	@Bean
	@ConditionalOnWebApplication
	@ConditionalOnExpression("'${trawl.role:all}' != 'worker'") // workers only analyse partitions
	LaunchQueueListener launchQueueListener(SqsClient sqs, RescanLauncher launcher, AwsProperties aws) {
		return new LaunchQueueListener(sqs, launcher, aws.launch());
	}
}
