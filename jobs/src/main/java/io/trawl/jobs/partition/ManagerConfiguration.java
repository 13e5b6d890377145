package io.trawl.jobs.partition;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import software.amazon.awssdk.services.sqs.SqsClient;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.rescan.InPartitionOrder;

/**
 * {@code trawl.partitioning=remote}: {@code analyseStep} splits the source as before, but sends each partition to
 * the partitions queue instead of a local thread, then polls the job repository until every partition's step
 * execution has ended, re-sending the partitions whose worker fell silent ({@link SqsPartitionHandler}). No reply
 * channel: the workers report through the shared job repository.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(Role.SendsPartitions.class)
class ManagerConfiguration {

	@Bean
	SqsPartitionHandler sqsPartitionHandler(SqsClient sqs, PartitionProperties partitions, JobRepository jobRepository,
			PartitionHeartbeats partitionHeartbeats, TrawlProperties properties) {
		SqsPartitionHandler handler = new SqsPartitionHandler(new SqsPartitionSender(sqs, partitions.requireQueueUrl()),
				jobRepository, partitionHeartbeats, partitions, WorkerConfiguration.WORKER_STEP);
		handler.setGridSize(properties.analysis().effectiveGridSize());
		return handler;
	}

	@Bean
	Step analyseStep(JobRepository jobRepository, Partitioner samplePartitioner, SqsPartitionHandler sqsPartitionHandler,
			TrawlProperties properties) {
		return new StepBuilder("analyseStep", jobRepository)
			.partitioner(WorkerConfiguration.WORKER_STEP, samplePartitioner)
			.splitter(new InPartitionOrder(jobRepository, WorkerConfiguration.WORKER_STEP, samplePartitioner))
			.partitionHandler(sqsPartitionHandler)
			.gridSize(properties.analysis().effectiveGridSize())
			.build();
	}
}
