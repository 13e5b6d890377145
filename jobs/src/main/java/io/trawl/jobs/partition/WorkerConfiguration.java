package io.trawl.jobs.partition;

import java.util.Set;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.integration.partition.BeanFactoryStepLocator;
import org.springframework.batch.integration.partition.StepExecutionRequestHandler;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import software.amazon.awssdk.services.sqs.SqsAsyncClient;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.aws.AwsProperties;
import io.trawl.jobs.queue.QueueConsumer;

/**
 * A node that receives partitions ({@code trawl.role=worker}, or {@code all} with {@code trawl.partitioning=remote})
 * receives from the partitions queue (a {@link QueueConsumer}) and runs each request's step execution of
 * {@code analyseWorkerStep}, the same reader, processor and writer as local partitioning. Only a service does
 * ({@code trawl worker}, or {@code trawl serve}), never a one-shot CLI command.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(Role.ReceivesPartitions.class)
class WorkerConfiguration {

	static final String WORKER_STEP = "analyseWorkerStep";

	/** In the aws profile, a busy worker protects its instance from scale-in (Terraform's worker group). */
	@Bean
	@Profile("aws")
	ScaleInProtection scaleInProtection(AwsProperties aws) {
		return ScaleInProtection.of(aws);
	}

	@Bean
	PartitionQueueListener partitionQueueListener(SqsAsyncClient sqsAsyncClient, JobRepository jobRepository,
			BeanFactory beanFactory, PartitionProperties partitions, TrawlProperties properties,
			ObjectProvider<ScaleInProtection> protection, PartitionHeartbeats partitionHeartbeats) {
		StepExecutionRequestHandler handler = new StepExecutionRequestHandler();
		handler.setJobRepository(jobRepository);
		PartitionQueueListener listener = new PartitionQueueListener(
				QueueConsumer.of("partition", sqsAsyncClient, partitions.requireQueueUrl()), handler, jobRepository,
				partitions, properties.analysis().effectiveThreads(), Set.of(WORKER_STEP),
				protection.getIfAvailable(() -> ScaleInProtection.NONE), partitionHeartbeats);
		BeanFactoryStepLocator steps = new BeanFactoryStepLocator();
		steps.setBeanFactory(beanFactory);
		handler.setStepLocator(listener.tracking(steps));
		return listener;
	}
}
