package io.trawl.jobs.project;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.DefaultJobParametersValidator;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.rescan.OwnerListener;
import io.trawl.jobs.rescan.ProgressMeter;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.rescan.SummaryDiff;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.QueryTables;

/**
 * {@code projectRebuildJob}: {@code clearTablesStep} empties every query table, then {@code projectJobsStep} runs, on
 * local threads ({@code trawl.analysis.threads}), one partition per rescan job whose own {@code projectStep}
 * completed, each the projection that step runs, and {@code diffJobsStep} stores each summary's diff against the
 * previous job of its source, as that step does. Job parameter: {@code requestId} (identifying).
 * <p>
 * A restart ({@code ./trawl restart ID}) skips the clearing and every job already projected; a new
 * {@code ./trawl project --rebuild} starts over from empty tables.
 */
@Configuration(proxyBeanMethods = false)
public class ProjectRebuildJobConfiguration {

	public static final String JOB_NAME = "projectRebuildJob";

	/** The step each partition runs; its executions are named {@code projectJobStep:job<instance id>}. */
	static final String WORKER_STEP = "projectJobStep";

	/** Not a default candidate: the tests' single-job utilities, and whatever injects "the" Job, keep the rescan. */
	@Bean(defaultCandidate = false)
	Job projectRebuildJob(JobRepository jobRepository, Step clearTablesStep, Step projectJobsStep,
			Step diffJobsStep, OwnerListener ownerListener) {
		DefaultJobParametersValidator validator = new DefaultJobParametersValidator(new String[] { "requestId" },
				new String[] { "launchedBy" });
		return new JobBuilder(JOB_NAME, jobRepository).validator(validator)
			.listener(ownerListener)
			.start(clearTablesStep)
			.next(projectJobsStep)
			.next(diffJobsStep)
			.build();
	}

	@Bean
	Step clearTablesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			QueryTables tables, RunningJobs running) {
		return new StepBuilder("clearTablesStep", jobRepository).tasklet((contribution, chunk) -> {
			// checked again just before the tables empty: a rescan may have started since the launch checked
			running.refuseRebuild(chunk.getStepContext().getStepExecution().getJobExecutionId());
			tables.clear();
			return RepeatStatus.FINISHED;
		}, transactionManager).build();
	}

	@Bean
	Step projectJobsStep(JobRepository jobRepository, Partitioner projectedJobsPartitioner, Step projectJobStep,
			TrawlProperties properties) {
		SimpleAsyncTaskExecutor partitions = new SimpleAsyncTaskExecutor("project-");
		partitions.setConcurrencyLimit(properties.analysis().effectiveThreads());
		return new StepBuilder("projectJobsStep", jobRepository).partitioner(WORKER_STEP, projectedJobsPartitioner)
			.step(projectJobStep)
			.taskExecutor(partitions)
			.build();
	}

	/** Each summary's diff against the previous job of its source: once every job's samples are in the tables. */
	@Bean
	Step diffJobsStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			QueryTables tables) {
		SummaryDiff diff = new SummaryDiff(jobRepository, tables);
		return new StepBuilder("diffJobsStep", jobRepository).tasklet((contribution, chunk) -> {
			ProjectedJobsPartitioner.forEachProjected(jobRepository,
					rescan -> diff.store(jobRepository.getLastJobExecution(rescan)));
			return RepeatStatus.FINISHED;
		}, transactionManager).build();
	}

	@Bean
	@StepScope
	Partitioner projectedJobsPartitioner(JobRepository jobRepository, ProgressMeter progress,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return new ProjectedJobsPartitioner(jobRepository, stepExecution, progress.of(stepExecution.getJobExecutionId()));
	}

	@Bean
	Step projectJobStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			ProjectJobTasklet projectJobTasklet) {
		return new StepBuilder(WORKER_STEP, jobRepository).tasklet(projectJobTasklet, transactionManager).build();
	}

	@Bean
	RunningJobs runningJobs(JobRepository jobRepository, ObjectProvider<RescanLauncher> rescans) {
		return new RunningJobs(jobRepository, rescans);
	}

	@Bean
	ProjectJobTasklet projectJobTasklet(EventStore events, QueryTables tables,
			PlatformTransactionManager transactionManager, ProgressMeter progress,
			@Value("${trawl.projection.threads:0}") int projectionThreads) {
		return new ProjectJobTasklet(events, tables, transactionManager, progress, projectionThreads);
	}
}
