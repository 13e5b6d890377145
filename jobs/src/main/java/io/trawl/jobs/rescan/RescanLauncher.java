package io.trawl.jobs.rescan;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
import org.springframework.core.task.TaskExecutor;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;

import io.trawl.jobs.problem.UnknownJobException;
import io.trawl.jobs.TrawlProperties;
import io.trawl.jobs.analysis.AnalysisConfiguration.AnalysisFactory;
import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.jobs.rules.Rulesets;
import io.trawl.jobs.audit.AuditLog;
import io.trawl.jobs.problem.ClientErrors;
import io.trawl.jobs.problem.LaunchRefusedException;
import io.trawl.worker.yara.RuleCompilationException;
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
	private final AllowedSources allowed;
	// a slot is taken before a background job's execution is created and given back when its thread ends, so a
	// refused launch leaves nothing behind
	private final Semaphore slots;
	private final int maxRunning;
	private final Duration retryAfter;
	private final ThreadLocal<Boolean> handedOver = ThreadLocal.withInitial(() -> false);

	/**
	 * @param analyses asked for here so that a bad trawl.analysis.extra-analyzers fails the launch, not the job
	 */
	public RescanLauncher(JobOperator operator, JobRepository repository, Job rescanJob,
			SampleSources sources, Rulesets rulesets, TrawlProperties properties, AnalysisFactory analyses)
			throws Exception {
		this.operator = operator;
		this.maxRunning = properties.launch().maxRunning();
		this.retryAfter = properties.launch().retryAfter();
		this.slots = new Semaphore(this.maxRunning);
		this.allowed = new AllowedSources(properties.sources().allowed(), properties.rules());
		this.background = new TaskExecutorJobOperator();
		this.background.setJobRepository(repository);
		MapJobRegistry registry = new MapJobRegistry();
		registry.register(rescanJob);
		this.background.setJobRegistry(registry);
		this.background.setTaskExecutor(boundedExecutor());
		this.background.afterPropertiesSet();
		this.repository = repository;
		this.rescanJob = rescanJob;
		this.sources = sources;
		this.rulesets = rulesets;
		this.properties = properties;
	}

	/**
	 * Who asks for a launch. REST and SQS callers may name only what trawl.sources.allowed lists; the local CLI and
	 * the schedule (whose source an administrator configured) are not held to it.
	 */
	public enum Origin {
		CLI("cli"), REST("anonymous"), SQS("sqs"), SCHEDULE("schedule");

		private final String defaultPrincipal;

		Origin(String defaultPrincipal) {
			this.defaultPrincipal = defaultPrincipal;
		}

		boolean restricted() {
			return this == REST || this == SQS;
		}
	}

	/**
	 * A launch request. {@code requestId} makes it idempotent within its principal; {@code scheduledFor} names a
	 * nightly run.
	 * @param launchedBy the principal: a key name or token subject (REST), else the origin's name
	 * @param full analyse every sample again instead of building on the source's last rescan (not identifying)
	 */
	public record Request(String source, String rules, String requestId, String scheduledFor, Origin origin,
			String launchedBy, boolean full) {

		public Request {
			// no origin given: held to the allow-list, to be safe
			origin = origin == null ? Origin.REST : origin;
			launchedBy = launchedBy == null || launchedBy.isBlank() ? origin.defaultPrincipal : launchedBy;
		}

		/** A request from the local CLI (or a test), which may name any readable folder. */
		public Request(String source, String rules, String requestId, String scheduledFor) {
			this(source, rules, requestId, scheduledFor, Origin.CLI, null, false);
		}
	}

	/**
	 * Checks the source and compiles the rules, so a bad request fails here with one clear sentence instead of as a
	 * FAILED job.
	 */
	public JobParameters validate(Request request) {
		if (request.source() == null || request.source().isBlank()) {
			throw new IllegalArgumentException("A rescan needs a source: a folder, or s3://bucket/prefix in the aws profile.");
		}
		if (request.requestId() != null && request.requestId().startsWith("nightly-")
				&& request.origin() != Origin.SCHEDULE) {
			throw new IllegalArgumentException("Request ids starting with 'nightly-' are reserved for the nightly "
					+ "schedule; choose another requestId.");
		}
		String rules = request.rules() == null || request.rules().isBlank() ? properties.rules() : request.rules();
		String sourceLocation = request.source();
		if (request.origin().restricted()) {
			sourceLocation = allowed.source(sourceLocation);
			rules = allowed.rules(rules);
		}
		SampleSource sampleSource = sources.resolve(sourceLocation);
		sampleSource.check();
		String source = sampleSource.describe();
		String rulesLocation = compile(rules);
		String requestId = request.requestId() == null || request.requestId().isBlank()
				? "adhoc-" + java.util.UUID.randomUUID() : request.requestId();
		// the request id, scoped to who sent it and how, names the job instance; a repeat with other parameters is a
		// conflict (see checkRepeat)
		JobParametersBuilder parameters = new JobParametersBuilder().addString("source", source, false)
			.addString("rules", rulesLocation, false)
			.addString("requestId", requestId)
			.addString("launchedBy", request.launchedBy())
			.addString("launchedVia", request.origin().name().toLowerCase())
			.addString("full", Boolean.toString(request.full()), false);
		if (request.scheduledFor() != null) {
			parameters.addString("scheduledFor", request.scheduledFor());
		}
		return parameters.toJobParameters();
	}

	/** The rules' recorded location, compiled once now; anything unreadable is one sentence, not a server error. */
	private String compile(String rules) {
		try {
			String rulesLocation = rulesets.localPath(rules);
			rulesets.get(rulesLocation);
			return rulesLocation;
		}
		catch (RuleCompilationException | IllegalArgumentException e) {
			throw e;
		}
		catch (RuntimeException | StackOverflowError e) {
			if (ClientErrors.classify(e).isPresent() || e instanceof RuntimeException r && isRetryable(r)) {
				throw e;
			}
			log.warn("The rules at {} could not be read", AuditLog.escape(rules), e);
			throw new IllegalArgumentException("The rules at " + ClientErrors.echo(rules)
					+ " cannot be read as YARA rules; name a readable .yar file or a folder of them.", e);
		}
	}

	private static boolean isRetryable(RuntimeException e) {
		for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t instanceof software.amazon.awssdk.core.exception.SdkException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The job this request already started, if it is running or done; a 409 if its request id was used before with
	 * another source, rules or mode.
	 */
	private Optional<JobExecution> checkRepeat(Request request, JobParameters parameters) {
		var instance = repository.getJobInstance(rescanJob.getName(), parameters);
		if (instance == null) {
			return Optional.empty();
		}
		JobExecution last = repository.getLastJobExecution(instance);
		if (last == null) {
			return Optional.empty();
		}
		JobParameters earlier = last.getJobParameters();
		for (String name : new String[] { "source", "rules", "full" }) {
			String before = earlier.getParameter(name) == null ? null
					: String.valueOf(earlier.getParameter(name).value());
			String now = String.valueOf(parameters.getParameter(name).value());
			if (before != null && !before.equals(now)) {
				throw LaunchRefusedException.conflict("The request id "
						+ ClientErrors.echo(parameters.getString("requestId"))
						+ " was already used for job execution " + last.getId() + " with another " + name
						+ "; send a new requestId to start a different job.");
			}
		}
		return last.isRunning() || last.getStatus() == BatchStatus.COMPLETED ? Optional.of(last) : Optional.empty();
	}

	/** Runs the job to its end on the caller's thread (the operator is synchronous) and returns the execution. */
	public JobExecution run(Request request) throws Exception {
		JobParameters parameters = validate(request);
		Optional<JobExecution> repeated = checkRepeat(request, parameters);
		if (repeated.isPresent()) {
			log.info("Request {} was already launched as job execution {}", AuditLog.escape(request.requestId()),
					repeated.get().getId());
			return repeated.get();
		}
		audit(request, parameters);
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
		Optional<JobExecution> repeated = checkRepeat(request, parameters);
		if (repeated.isPresent()) {
			log.info("Request {} was already launched as job execution {}; not starting it again",
					AuditLog.escape(request.requestId()), repeated.get().getId());
			return repeated.get();
		}
		if (!slots.tryAcquire()) {
			throw LaunchRefusedException.busy("This service already runs " + maxRunning
					+ " jobs, its limit (trawl.launch.max-running); try again later.", retryAfter);
		}
		handedOver.set(false);
		try {
			JobExecution execution = background.start(rescanJob, parameters);
			audit(request, parameters, execution);
			return execution;
		}
		catch (JobInstanceAlreadyCompleteException | JobExecutionAlreadyRunningException duplicate) {
			log.info("Request {} was already launched; not starting it again", AuditLog.escape(request.requestId()));
			return repository.getLastJobExecution(rescanJob.getName(), parameters);
		}
		catch (org.springframework.dao.DataIntegrityViolationException raced) {
			// the same request arrived twice at once and the other one created the job instance first
			JobExecution existing = repository.getLastJobExecution(rescanJob.getName(), parameters);
			if (existing == null) {
				throw raced;
			}
			return existing;
		}
		finally {
			if (!handedOver.get()) {
				slots.release();
			}
			handedOver.remove();
		}
	}

	/** Runs background jobs on at most maxRunning threads, each giving its slot back when the job ends. */
	private TaskExecutor boundedExecutor() {
		AtomicInteger threads = new AtomicInteger();
		ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
				new SynchronousQueue<>(), task -> {
					Thread thread = new Thread(task, "rescan-" + threads.incrementAndGet());
					thread.setDaemon(false);
					return thread;
				});
		return task -> {
			// the slot was taken in submit(); from here the job's thread owns it
			handedOver.set(true);
			pool.execute(() -> {
				try {
					task.run();
				}
				finally {
					slots.release();
				}
			});
		};
	}

	/** Background jobs running now in this process. */
	public int running() {
		return maxRunning - slots.availablePermits();
	}

	/** Background launches this process would accept now. */
	public int freeSlots() {
		return slots.availablePermits();
	}

	/**
	 * Asks a running job to stop: its steps end after their current chunk and the job ends STOPPED, so a restart
	 * resumes it. Unknown: 404; not running: 409.
	 */
	public JobExecution stop(long jobExecutionId, String principal) throws Exception {
		JobExecution execution = existing(jobExecutionId);
		if (!execution.isRunning() || execution.getStatus() == BatchStatus.STOPPING) {
			throw LaunchRefusedException.conflict("Job execution " + jobExecutionId + " is " + execution.getStatus()
					+ ", not running; there is nothing to stop.");
		}
		AuditLog.record("stop", principal, Map.of("jobExecutionId", jobExecutionId));
		try {
			operator.stop(execution);
		}
		catch (org.springframework.batch.core.launch.JobExecutionNotRunningException ended) {
			throw LaunchRefusedException.conflict("Job execution " + jobExecutionId
					+ " ended meanwhile; there is nothing to stop.");
		}
		return repository.getJobExecution(jobExecutionId);
	}

	private JobExecution existing(long jobExecutionId) {
		try {
			JobExecution execution = repository.getJobExecution(jobExecutionId);
			if (execution != null) {
				return execution;
			}
		}
		catch (org.springframework.dao.EmptyResultDataAccessException unknown) {
			// as absent
		}
		throw new UnknownJobException(jobExecutionId);
	}

	private void audit(Request request, JobParameters parameters) {
		audit(request, parameters, null);
	}

	private void audit(Request request, JobParameters parameters, JobExecution execution) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("via", request.origin().name().toLowerCase());
		details.put("requestId", parameters.getString("requestId"));
		details.put("source", parameters.getString("source"));
		details.put("rules", parameters.getString("rules"));
		if (execution != null) {
			details.put("jobExecutionId", execution.getId());
		}
		AuditLog.record("launch", request.launchedBy(), details);
	}

	/**
	 * Restarts a FAILED or STOPPED execution, or one left STARTED by a process that is gone: that one is first
	 * recovered (marked FAILED), then restarted. A job that is really still running is refused.
	 */
	public JobExecution restart(long jobExecutionId) throws Exception {
		JobExecution execution = existing(jobExecutionId);
		JobExecution latest = repository.getLastJobExecution(execution.getJobInstance());
		if (latest != null && latest.getId() != execution.getId()) {
			if (latest.getStatus() == BatchStatus.COMPLETED) {
				throw new IllegalStateException("Job execution " + jobExecutionId + " was already restarted as "
						+ latest.getId() + ", which COMPLETED.");
			}
			execution = latest;
		}
		if (execution.getStatus() == BatchStatus.COMPLETED) {
			throw new IllegalStateException("Job execution " + execution.getId()
					+ " already COMPLETED; start a new rescan instead.");
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
		AuditLog.record("restart", "cli", Map.of("jobExecutionId", execution.getId()));
		return operator.restart(execution);
	}

	/** Describes the live owner of a running execution, or empty when its process is gone. */
	public Optional<String> ownerAlive(JobExecution execution) {
		var context = execution.getExecutionContext();
		String host = context.containsKey(OwnerListener.HOST) ? context.getString(OwnerListener.HOST) : null;
		long pid = context.containsKey(OwnerListener.PID) ? context.getLong(OwnerListener.PID) : -1;
		if (CrashEvidence.hostName().equals(host) && pid > 0) {
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
