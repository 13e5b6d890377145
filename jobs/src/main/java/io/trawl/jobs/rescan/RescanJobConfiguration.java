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
import io.micrometer.observation.ObservationRegistry;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.analysis.AnalysisConfiguration.AnalysisFactory;
import io.trawl.jobs.containment.CarefulChunk;
import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.jobs.containment.PartitionRuns;
import io.trawl.jobs.rules.Rulesets;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.manifest.Manifests;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.yara.delta.RuleFingerprints;
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
			ObjectProvider<MeterRegistry> meters, ObjectProvider<Manifests> manifests, TrawlProperties properties,
			DeltaRulesets deltas) {
		DefaultJobParametersValidator validator = new DefaultJobParametersValidator(
				new String[] { "source", "rules", "requestId" },
				new String[] { "scheduledFor", "launchedBy", "launchedVia", "full" });
		JobBuilder job = new JobBuilder(JOB_NAME, jobRepository).validator(validator).listener(ownerListener)
			.listener(new FailureReasonListener(jobRepository));
		meters.ifAvailable(registry -> job.listener(new JobEndMetrics(registry)));
		// without manifests (the aws profile until its adapter is wired) every job is full
		manifests.ifAvailable(store -> job.listener(new IncrementalBase(store, jobRepository,
				AnalysisSettings.digest(properties.analysis()), deltas)));
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
			.splitter(new InPartitionOrder(jobRepository, WORKER_STEP, samplePartitioner))
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

	/**
	 * The samples of a chunk of this partition's step ({@link #analyseWorkerStep}), and so of its careful first chunk
	 * after a crash: {@code chunk-size} in a full job; in an incremental one {@code incremental-chunk-size}, never
	 * fewer. Most of an incremental step's samples are reused, never read: their cost is the chunk's bookkeeping (its
	 * commit, its execution context, its step execution), not analysis, so its chunks are larger.
	 */
	static int chunkSize(StepExecution stepExecution, int chunkSize, int incrementalChunkSize) {
		return IncrementalBase.of(stepExecution) == null ? chunkSize : Math.max(chunkSize, incrementalChunkSize);
	}

	/**
	 * A partition's step: the same reader, processor and writer in chunks of {@link #chunkSize} samples, whichever
	 * its job calls for ({@link ChunksByBase}).
	 */
	@Bean
	Step analyseWorkerStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			SampleRangeReader sampleReader, AnalyseProcessor analyseProcessor, EventWriter eventWriter,
			TrawlProperties properties, ObjectProvider<MeterRegistry> meters,
			ObjectProvider<ObservationRegistry> observations) {
		return new ChunksByBase(
				workerStep(properties.analysis().chunkSize(), jobRepository, transactionManager, sampleReader,
						analyseProcessor, eventWriter, meters, observations),
				workerStep(Math.max(properties.analysis().chunkSize(), properties.analysis().incrementalChunkSize()),
						jobRepository, transactionManager, sampleReader, analyseProcessor, eventWriter, meters,
						observations));
	}

	/**
	 * One of {@link #analyseWorkerStep}'s steps. They are not beans, so the observation registry Spring Batch's bean
	 * post-processor gives a step bean (its {@code spring.batch.chunk.*} metrics) is given here.
	 */
	private static Step workerStep(int chunk, JobRepository jobRepository,
			PlatformTransactionManager transactionManager, SampleRangeReader sampleReader,
			AnalyseProcessor analyseProcessor, EventWriter eventWriter, ObjectProvider<MeterRegistry> meters,
			ObjectProvider<ObservationRegistry> observations) {
		var step = new StepBuilder(WORKER_STEP, jobRepository).<ListedSample, SampleOutcome>chunk(chunk)
			.transactionManager(transactionManager)
			.reader(sampleReader)
			.processor(analyseProcessor)
			.writer(eventWriter)
			.listener(new PartitionRuns(jobRepository))
			.listener(new PartitionFailureReason());
		meters.ifAvailable(registry -> {
			step.listener(new WorkerErrorMetrics(registry));
			step.listener(new SampleMeters(registry));
		});
		observations.ifAvailable(step::observationRegistry);
		return step.build();
	}

	@Bean
	@StepScope
	SampleRangeReader sampleReader(@Value("#{jobParameters['source']}") String source, SampleSources sources,
			@Value("#{stepExecutionContext['" + SampleRangePartitioner.AFTER + "']}") String after,
			@Value("#{stepExecutionContext['" + SampleRangePartitioner.LAST + "']}") String last,
			ObjectProvider<Manifests> manifests, @Value("#{stepExecution}") StepExecution stepExecution,
			BaseResults baseResults) {
		Long base = IncrementalBase.of(stepExecution);
		return new SampleRangeReader(sources.resolve(source), after, last)
			.joining(manifests.getIfAvailable(), base)
			.prefetching(manifests.getIfAvailable() == null || base == null ? null : baseResults);
	}

	/** The base job's results, shared by a partition's reader (which looks them up in batches) and processor. */
	@Bean
	@StepScope
	BaseResults baseResults(EventStore events, @Value("#{stepExecution}") StepExecution stepExecution,
			TrawlProperties properties) {
		Long base = IncrementalBase.of(stepExecution);
		int chunkSize = chunkSize(stepExecution, properties.analysis().chunkSize(),
				properties.analysis().incrementalChunkSize());
		return new BaseResults(events, base == null ? IncrementalBase.NONE : base, BaseResults.batchesFor(chunkSize));
	}

	@Bean
	CurrentFingerprints currentFingerprints(ObjectProvider<Manifests> manifests) {
		return new CurrentFingerprints(manifests.getIfAvailable());
	}

	@Bean(destroyMethod = "close")
	DeltaRulesets deltaRulesets(ObjectProvider<Manifests> manifests) {
		return new DeltaRulesets(manifests.getIfAvailable());
	}

	@Bean
	@StepScope
	AnalyseProcessor analyseProcessor(@Value("#{jobParameters['source']}") String source,
			@Value("#{jobParameters['rules']}") String rules, SampleSources sources, Rulesets rulesets,
			AnalysisFactory analyses, TrawlProperties properties, EventStore events,
			PlatformTransactionManager transactionManager, @Value("#{stepExecution}") StepExecution stepExecution,
			ObjectProvider<Manifests> manifests, VerdictPolicy verdicts, CurrentFingerprints fingerprints,
			DeltaRulesets deltas, BaseResults baseResults) {
		SampleSource sampleSource = sources.resolve(source);
		long jobInstanceId = stepExecution.getJobExecution().getJobInstance().getInstanceId();
		CarefulChunk careful = new CarefulChunk(events, transactionManager, jobInstanceId,
				stepExecution.getJobExecutionId(), stepExecution.getId(), PartitionRuns.run(stepExecution),
				chunkSize(stepExecution, properties.analysis().chunkSize(),
						properties.analysis().incrementalChunkSize()),
				CrashEvidence.ofThisJvm());
		Rulesets.Lease lease = rulesets.lease(rules); // released when the step scope closes the processor
		Manifests store = manifests.getIfAvailable();
		Long base = store == null ? null : IncrementalBase.of(stepExecution);
		// an incremental step may reuse every result: its native hosts start with the first sample analysed in full
		SampleAnalysis analysis = analyses.create(lease.rules(), base == null);
		AnalyseProcessor processor = new AnalyseProcessor(sampleSource, analysis,
				Set.copyOf(properties.analysis().oversizedAnalyzers()),
				properties.analysis().maxSampleSize().toBytes(), jobInstanceId, stepExecution.getJobExecutionId(),
				careful)
			.knowing(properties.analysis().lookUpContentsFrom().toBytes(),
					sha256 -> !events.find(jobInstanceId, sha256, EventKind.ANALYSED).isEmpty())
			.holding(lease);
		if (store == null) {
			return processor;
		}
		boolean yara = !properties.analysis().skip().contains("yara");
		RuleFingerprints current = yara ? fingerprints.of(lease.rules()).orElse(null) : null;
		stepExecution.getExecutionContext().putString(IncrementalBase.RULESET_VERSION, lease.rules().version());
		return base == null ? processor : processor.reusing(new Incremental(baseResults, deltas, base, jobInstanceId,
				stepExecution.getJobExecutionId(), analysis, verdicts, yara ? lease.rules() : null, current,
				delta -> analyses.create(delta, false).only(Set.of("yara"), "not run: a YARA delta scan")));
	}

	@Bean
	@StepScope
	EventWriter eventWriter(EventStore events, ProgressMeter progress,
			@Value("#{stepExecution}") StepExecution stepExecution, ObjectProvider<Manifests> manifests) {
		EventWriter writer = new EventWriter(events, progress.of(stepExecution.getJobExecutionId()),
				stepExecution.getExecutionContext());
		Manifests store = manifests.getIfAvailable();
		return store == null ? writer
				: writer.recording(store, stepExecution.getJobExecution().getJobInstance().getInstanceId());
	}

	@Bean
	Step projectStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, EventStore events,
			QueryTables tables, @Value("${trawl.projection.threads:0}") int projectionThreads) {
		return new StepBuilder("projectStep", jobRepository)
			.tasklet(new ProjectTasklet(events, tables, jobRepository, projectionThreads), transactionManager)
			.build();
	}
}
