package io.trawl.jobs.rescan;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;

import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.analysis.AnalysisConfiguration.AnalysisFactory;
import io.trawl.jobs.analysis.Rulesets;
import io.trawl.worker.source.SampleSource;

/**
 * Starts and restarts rescans. Every launch path (CLI, REST, SQS, schedule) goes through here, so they all validate
 * the same way and treat a duplicate request the same way: as already done.
 */
@Component
public class RescanLauncher {

	private static final Logger log = LoggerFactory.getLogger(RescanLauncher.class);

	private final JobOperator operator;
	private final JobRepository repository;
	private final Job rescanJob;
	private final SampleSources sources;
	private final Rulesets rulesets;
	private final TrawlProperties properties;

	private final TaskExecutorJobOperator background;

	/** @param analyses asked for here so that a bad trawl.analysis.extra-analyzers fails the launch, not the job */
	public RescanLauncher(JobOperator operator, JobRepository repository, Job rescanJob,
			SampleSources sources, Rulesets rulesets, TrawlProperties properties, AnalysisFactory analyses)
			throws Exception {
		this.operator = operator;
		this.background = new TaskExecutorJobOperator();
		this.background.setJobRepository(repository);
		MapJobRegistry registry = new MapJobRegistry();
		registry.register(rescanJob);
		this.background.setJobRegistry(registry);
		this.background.setTaskExecutor(new SimpleAsyncTaskExecutor("rescan-"));
		this.background.afterPropertiesSet();
		this.repository = repository;
		this.rescanJob = rescanJob;
		this.sources = sources;
		this.rulesets = rulesets;
		this.properties = properties;
	}

	/** A launch request. {@code requestId} makes it idempotent; {@code scheduledFor} names a nightly run. */
	public record Request(String source, String rules, String requestId, String scheduledFor) {
	}

	/**
	 * Checks the source and compiles the rules, so a bad request fails here with one clear sentence instead of as a
	 * FAILED job.
	 */
	public JobParameters validate(Request request) {
		if (request.source() == null || request.source().isBlank()) {
			throw new IllegalArgumentException("A rescan needs a source: a folder, or s3://bucket/prefix in the aws profile.");
		}
		String rules = request.rules() == null || request.rules().isBlank() ? properties.rules() : request.rules();
		SampleSource sampleSource = sources.resolve(request.source());
		sampleSource.check();
		String source = sampleSource.describe();
		String rulesLocation = rulesets.localPath(rules);
		rulesets.get(rulesLocation);
		// the request id alone names the job instance: the same request twice is one job, whatever else it says
		String requestId = request.requestId() == null || request.requestId().isBlank()
				? "adhoc-" + java.util.UUID.randomUUID() : request.requestId();
		JobParametersBuilder parameters = new JobParametersBuilder().addString("source", source, false)
			.addString("rules", rulesLocation, false)
			.addString("requestId", requestId);
		if (request.scheduledFor() != null) {
			parameters.addString("scheduledFor", request.scheduledFor());
		}
		return parameters.toJobParameters();
	}

	/** Runs the job to its end on the caller's thread (the operator is synchronous) and returns the execution. */
	public JobExecution run(Request request) throws Exception {
		JobParameters parameters = validate(request);
		log.info("Rescan of {} on Java {} ({}), {} cores, {} partitions at once", parameters.getString("source"),
				Runtime.version(), System.getProperty("java.home"), Runtime.getRuntime().availableProcessors(),
				properties.analysis().effectiveThreads());
		try {
			return operator.start(rescanJob, parameters);
		}
		catch (JobInstanceAlreadyCompleteException | JobExecutionAlreadyRunningException duplicate) {
			JobExecution existing = repository.getLastJobExecution(rescanJob.getName(), parameters);
			log.info("Request {} was already launched as job execution {}", request.requestId(),
					existing == null ? "?" : existing.getId());
			return existing;
		}
	}

	/**
	 * Starts the job on a background thread and returns once its execution is persisted (so a queue message can be
	 * acknowledged then). A duplicate request returns the execution it already started.
	 */
	public JobExecution submit(Request request) throws Exception {
		JobParameters parameters = validate(request);
		try {
			return background.start(rescanJob, parameters);
		}
		catch (JobInstanceAlreadyCompleteException | JobExecutionAlreadyRunningException duplicate) {
			log.info("Request {} was already launched; not starting it again", request.requestId());
			return repository.getLastJobExecution(rescanJob.getName(), parameters);
		}
	}

	/**
	 * Restarts a FAILED or STOPPED execution, or one left STARTED by a process that is gone: that one is first
	 * recovered (marked FAILED), then restarted. A job that is really still running is refused.
	 */
	public JobExecution restart(long jobExecutionId) throws Exception {
		JobExecution execution;
		try {
			execution = repository.getJobExecution(jobExecutionId);
		}
		catch (org.springframework.dao.EmptyResultDataAccessException unknown) {
			execution = null;
		}
		if (execution == null) {
			throw new IllegalArgumentException("There is no job execution " + jobExecutionId + ". List them with: trawl status");
		}
		JobExecution latest = repository.getLastJobExecution(execution.getJobInstance());
		if (latest != null && latest.getId() != execution.getId()) {
			if (latest.getStatus() == BatchStatus.COMPLETED) {
				throw new IllegalStateException("Job execution " + jobExecutionId + " was already restarted as "
						+ latest.getId() + ", which COMPLETED.");
			}
			execution = latest;
		}
		if (execution.getStatus() == BatchStatus.COMPLETED) {
			throw new IllegalStateException("Job execution " + execution.getId() + " already COMPLETED; start a new rescan instead.");
		}
		if (execution.isRunning()) {
			Optional<String> alive = ownerAlive(execution);
			if (alive.isPresent()) {
				throw new IllegalStateException("Job execution " + execution.getId() + " is still running (" + alive.get()
						+ "). Wait for it, or stop that process first.");
			}
			log.warn("Job execution {} was left {} by a process that is gone; recovering it", execution.getId(),
					execution.getStatus());
			execution = operator.recover(execution);
		}
		return operator.restart(execution);
	}

	/** Describes the live owner of a running execution, or empty when its process is gone. */
	Optional<String> ownerAlive(JobExecution execution) {
		var context = execution.getExecutionContext();
		String host = context.containsKey(OwnerListener.HOST) ? context.getString(OwnerListener.HOST) : null;
		long pid = context.containsKey(OwnerListener.PID) ? context.getLong(OwnerListener.PID) : -1;
		if (OwnerListener.hostName().equals(host) && pid > 0) {
			boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
					&& pid != ProcessHandle.current().pid();
			return alive ? Optional.of("pid " + pid + " on " + host) : Optional.empty();
		}
		LocalDateTime lastSeen = execution.getStepExecutions().stream()
			.map(StepExecution::getLastUpdated)
			.filter(java.util.Objects::nonNull)
			.max(Comparator.naturalOrder())
			.orElse(execution.getLastUpdated());
		Duration quiet = lastSeen == null ? Duration.ZERO : Duration.between(lastSeen, LocalDateTime.now());
		return quiet.compareTo(properties.restart().staleAfter()) < 0
				? Optional.of("host " + host + ", last progress " + quiet.toSeconds() + " s ago") : Optional.empty();
	}
}
