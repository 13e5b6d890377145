package io.trawl.jobs.partition;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.integration.config.annotation.EnableBatchIntegration;
import org.springframework.batch.integration.partition.RemotePartitioningManagerStepBuilderFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.DirectChannel;

import software.amazon.awssdk.services.sqs.SqsClient;

import io.trawl.jobs.TrawlProperties;

/**
 * {@code trawl.partitioning=remote}: {@code analyseStep} splits the source as before, but sends each partition to
 * the partitions queue instead of a local thread, then polls the job repository until every partition's step
 * execution has ended. No reply channel: the workers report through the shared job repository.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "trawl.partitioning", havingValue = "remote")
@EnableBatchIntegration
class ManagerConfiguration {

	private final RemotePartitioningManagerStepBuilderFactory steps;

	ManagerConfiguration(RemotePartitioningManagerStepBuilderFactory steps) {
		this.steps = steps;
	}

	@Bean
	DirectChannel partitionRequests(SqsClient sqs, PartitionProperties partitions) {
		DirectChannel channel = new DirectChannel();
		channel.subscribe(new SqsPartitionSender(sqs, partitions.requireQueueUrl()));
		return channel;
	}

	@Bean
	Step analyseStep(Partitioner samplePartitioner, DirectChannel partitionRequests, TrawlProperties properties,
			PartitionProperties partitions) {
		return steps.get("analyseStep")
			.partitioner(WorkerConfiguration.WORKER_STEP, samplePartitioner)
			.gridSize(properties.analysis().effectiveGridSize())
			.outputChannel(partitionRequests)
			.pollInterval(partitions.pollInterval().toMillis())
			.timeout(partitions.timeout().toMillis())
			.build();
	}
}
