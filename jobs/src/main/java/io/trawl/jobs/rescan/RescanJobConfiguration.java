package io.trawl.jobs.rescan;

import java.util.Set;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.DefaultJobParametersValidator;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;

import com.zaxxer.hikari.HikariDataSource;

import io.micrometer.core.instrument.MeterRegistry;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.analysis.AnalysisConfiguration.AnalysisFactory;
import io.trawl.jobs.containment.CarefulChunk;
import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.jobs.containment.PartitionRuns;
import io.trawl.jobs.rules.Rulesets;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.worker.source.SampleSource;

/**
 * {@code rescanJob}: analyse every sample of a source with the given rules ({@code analyseStep}, partitioned into
 * ranges of the source), then rebuild the job's query tables from its events ({@code projectStep}).
 * Job parameters: {@code requestId} (identifying: one job instance per request), {@code scheduledFor} (identifying,
 * nightly runs), {@code source} and {@code rules}.
 */
@Configuration(proxyBeanMethods = false)
public class RescanJobConfiguration {

	public static final String JOB_NAME = "rescanJob";

	/**
	 * The step each partition runs, on a local thread or on a remote worker: the partitioner names its step
	 * executions after it, and a remote worker accepts only requests for it.
	 */
	public static final String WORKER_STEP = "analyseWorkerStep";

	@Bean
	ProgressMeter progressMeter() {
		return new ProgressMeter();
	}

	@Bean
	Job rescanJob(JobRepository jobRepository, Step analyseStep, Step projectStep, OwnerListener ownerListener,
			ObjectProvider<MeterRegistry> meters) {
		DefaultJobParametersValidator validator = new DefaultJobParametersValidator(
				new String[] { "source", "rules", "requestId" },
				new String[] { "scheduledFor", "launchedBy", "launchedVia", "full" });
		JobBuilder job = new JobBuilder(JOB_NAME, jobRepository).validator(validator).listener(ownerListener)
			.listener(new FailureReasonListener(jobRepository));
		meters.ifAvailable(registry -> job.listener(new JobEndMetrics(registry)));
		return job.start(analyseStep).next(projectStep).build();
	}

	@Bean
	OwnerListener ownerListener(JobRepository jobRepository, TrawlProperties properties) {
		return new OwnerListener(jobRepository, properties.executionIdFile());
	}

	/**
	 * A careful chunk writes its markers on a second connection while its chunk holds one; with fewer connections
	 * than partition threads, every connection could be held by a chunk waiting for the careful sample, which waits
	 * for a connection. So the pool gets room for each thread's two, whatever Hikari's default.
	 */
	@Bean
	static BeanPostProcessor connectionsForCarefulChunks(ObjectProvider<TrawlProperties> properties) {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof HikariDataSource pool) {
					int needed = properties.getObject().analysis().effectiveThreads() + 4;
					if (pool.getMaximumPoolSize() < needed) {
						pool.setMaximumPoolSize(needed);
					}
				}
				return bean;
			}
		};
	}

	/** Partitions on local threads; {@code trawl.partitioning=remote} hands them to workers over SQS instead. */
	@Bean
	@ConditionalOnProperty(name = "trawl.partitioning", havingValue = "local", matchIfMissing = true)
	Step analyseStep(JobRepository jobRepository, Partitioner samplePartitioner, Step analyseWorkerStep,
			TrawlProperties properties) {
		SimpleAsyncTaskExecutor partitions = new SimpleAsyncTaskExecutor("analyse-");
		partitions.setConcurrencyLimit(properties.analysis().effectiveThreads());
		return new StepBuilder("analyseStep", jobRepository).partitioner(WORKER_STEP, samplePartitioner)
			.step(analyseWorkerStep)
			.gridSize(properties.analysis().effectiveGridSize())
			.taskExecutor(partitions)
			.build();
	}

	@Bean
	@StepScope
	Partitioner samplePartitioner(@Value("#{jobParameters['source']}") String source, SampleSources sources,
			ProgressMeter progress, @Value("#{stepExecution}") StepExecution stepExecution) {
		return new SampleRangePartitioner(sources.resolve(source), progress.of(stepExecution.getJobExecutionId()));
	}

	@Bean
	Step analyseWorkerStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			SampleRangeReader sampleReader, AnalyseProcessor analyseProcessor, EventWriter eventWriter,
			TrawlProperties properties, ObjectProvider<MeterRegistry> meters) {
		var step = new StepBuilder(WORKER_STEP, jobRepository)
			.<io.trawl.worker.source.SampleRef, SampleOutcome>chunk(properties.analysis().chunkSize())
			.transactionManager(transactionManager)
			.reader(sampleReader)
			.processor(analyseProcessor)
			.writer(eventWriter)
			.listener(new PartitionRuns(jobRepository));
		meters.ifAvailable(registry -> {
			step.listener(new WorkerErrorMetrics(registry));
			step.listener(new SampleMeters(registry));
		});
		return step.build();
	}

	@Bean
	@StepScope
	SampleRangeReader sampleReader(@Value("#{jobParameters['source']}") String source, SampleSources sources,
			@Value("#{stepExecutionContext['" + SampleRangePartitioner.AFTER + "']}") String after,
			@Value("#{stepExecutionContext['" + SampleRangePartitioner.LAST + "']}") String last) {
		return new SampleRangeReader(sources.resolve(source), after, last);
	}

	@Bean
	@StepScope
	AnalyseProcessor analyseProcessor(@Value("#{jobParameters['source']}") String source,
			@Value("#{jobParameters['rules']}") String rules, SampleSources sources, Rulesets rulesets,
			AnalysisFactory analyses, TrawlProperties properties, EventStore events,
			PlatformTransactionManager transactionManager, @Value("#{stepExecution}") StepExecution stepExecution) {
		SampleSource sampleSource = sources.resolve(source);
		long jobInstanceId = stepExecution.getJobExecution().getJobInstance().getInstanceId();
		CarefulChunk careful = new CarefulChunk(events, transactionManager, jobInstanceId,
				stepExecution.getJobExecutionId(), stepExecution.getId(), PartitionRuns.run(stepExecution),
				properties.analysis().chunkSize(), CrashEvidence.ofThisJvm());
		Rulesets.Lease lease = rulesets.lease(rules); // released when the step scope closes the processor
		return new AnalyseProcessor(sampleSource, analyses.create(lease.rules()),
				Set.copyOf(properties.analysis().oversizedAnalyzers()),
				properties.analysis().maxSampleSize().toBytes(), jobInstanceId, stepExecution.getJobExecutionId(),
				careful)
			.knowing(properties.analysis().lookUpContentsFrom().toBytes(),
					sha256 -> !events.find(jobInstanceId, sha256, EventKind.ANALYSED).isEmpty())
			.holding(lease);
	}

	@Bean
	@StepScope
	EventWriter eventWriter(EventStore events, ProgressMeter progress,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return new EventWriter(events, progress.of(stepExecution.getJobExecutionId()),
				stepExecution.getExecutionContext());
	}

	@Bean
	Step projectStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, EventStore events,
			QueryTables tables) {
		return new StepBuilder("projectStep", jobRepository)
			.tasklet(new ProjectTasklet(events, tables), transactionManager)
			.build();
	}
}
