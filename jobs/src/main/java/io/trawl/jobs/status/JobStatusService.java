package io.trawl.jobs.status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.NoSuchStepException;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Service;

import io.trawl.jobs.partition.PartitionHeartbeats;
import io.trawl.jobs.partition.PartitionQueueListener;
import io.trawl.jobs.problem.FailureReason;
import io.trawl.jobs.problem.UnknownJobException;
import io.trawl.jobs.rescan.Found;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.JobDiff;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.RuleHistory;
import io.trawl.readmodel.query.SampleChange;
import io.trawl.readmodel.query.SampleView;

/** Answers "where is my job, and what did it find?" from the job repository and the query tables. */
@Service
public class JobStatusService {

	private static final String PARTITION_TOTAL = "range.count";
	private static final String FAILURE_REASON = "trawl.failure.reason"; // FailureReasonListener

	private final JobRepository jobs;
	private final QueryTables tables;
	private final EventStore events;
	private final RuleProperties ruleProperties;
	private final PartitionHeartbeats heartbeats;
	private final java.time.Duration takeoverAfter;

	public JobStatusService(JobRepository jobs, QueryTables tables, EventStore events, RuleProperties ruleProperties,
			PartitionHeartbeats heartbeats, org.springframework.core.env.Environment environment) {
		this.heartbeats = heartbeats;
		this.takeoverAfter = environment.getProperty("trawl.partitions.takeover-after", java.time.Duration.class,
				java.time.Duration.ofSeconds(25));
		this.jobs = jobs;
		this.tables = tables;
		this.events = events;
		this.ruleProperties = ruleProperties;
	}

	/** The newest executions first, across every job name. */
	public List<JobStatus> list(int limit) {
		List<JobExecution> executions = new ArrayList<>();
		for (String name : jobs.getJobNames()) {
			for (JobInstance instance : jobs.getJobInstances(name, 0, limit)) {
				executions.addAll(jobs.getJobExecutions(instance));
			}
		}
		return executions.stream()
			.sorted(Comparator.comparingLong(JobExecution::getId).reversed())
			.limit(limit)
			.map(this::status)
			.toList();
	}

	public Optional<JobStatus> get(long jobExecutionId) {
		return execution(jobExecutionId).map(this::status);
	}

	public Optional<JobExecution> execution(long jobExecutionId) {
		try {
			return Optional.ofNullable(jobs.getJobExecution(jobExecutionId));
		}
		catch (EmptyResultDataAccessException unknown) {
			return Optional.empty();
		}
	}

	/** The samples of the job instance this execution belongs to (a restart shares its instance's results). */
	public void results(long jobExecutionId, Consumer<SampleView> action) {
		JobExecution execution = execution(jobExecutionId).orElseThrow(() -> new UnknownJobException(jobExecutionId));
		tables.forEachSample(execution.getJobInstance().getInstanceId(), action);
	}

	/** A page of the results of the job instance this execution belongs to; see {@link QueryTables#page}. */
	public List<SampleView> page(long jobExecutionId, ResultFilter filter, String after, int limit) {
		JobExecution execution = execution(jobExecutionId).orElseThrow(() -> new UnknownJobException(jobExecutionId));
		return tables.page(execution.getJobInstance().getInstanceId(), filter, after, limit);
	}

	/**
	 * What changed from the base job to the job (both named by a job execution id): the counts the job's summary
	 * stored when it is against the same base, else counted now from both jobs' samples.
	 */
	public DiffCounts diffCounts(long baseExecutionId, long jobExecutionId) {
		long base = instanceOf(baseExecutionId);
		long job = instanceOf(jobExecutionId);
		return tables.summary(job).map(JobSummary::diff)
			.filter(stored -> stored.baseJobInstanceId() == base)
			.map(stored -> new DiffCounts(baseExecutionId, base, stored.added(), stored.gone(), stored.changed(),
					stored.unchanged()))
			.orElseGet(() -> new JobDiff(tables).counts(baseExecutionId, base, job));
	}

	/** The new, gone and changed samples after the sample key {@code after}; see {@link JobDiff#changes}. */
	public void changes(long baseExecutionId, long jobExecutionId, String after, Predicate<SampleChange> action) {
		new JobDiff(tables).changes(instanceOf(baseExecutionId), instanceOf(jobExecutionId), after, action);
	}

	/** Every rule's history, by rule name; the latest job is the newest that hit any rule. */
	public List<RuleReport> rules() {
		List<RuleHistory> histories = tables.ruleHistory();
		long latest = histories.stream().mapToLong(rule -> rule.last().jobInstanceId()).max().orElse(0);
		return histories.stream().map(rule -> RuleReport.of(rule, latest, ruleProperties.noisyShare())).toList();
	}

	private long instanceOf(long jobExecutionId) {
		return execution(jobExecutionId).orElseThrow(() -> new UnknownJobException(jobExecutionId)).getJobInstance()
			.getInstanceId();
	}

	public Optional<SampleView> sample(String sha256) {
		return tables.latest(sha256.toLowerCase());
	}

	private JobStatus status(JobExecution execution) {
		long instanceId = execution.getJobInstance().getInstanceId();
		List<StepExecution> steps = execution.getStepExecutions().stream()
			.sorted(Comparator.comparingLong(StepExecution::getId))
			.toList();
		// a restart resumes where earlier executions of the instance stopped: their work counts too
		List<StepExecution> allRuns = (ranBefore(execution, steps)
				? jobs.getJobExecutions(execution.getJobInstance()).stream().filter(e -> e.getId() <= execution.getId())
				: Stream.of(execution))
			.flatMap(e -> e.getStepExecutions().stream())
			.filter(s -> s.getStepName().contains(":partition"))
			.toList();
		long done = allRuns.stream().mapToLong(StepExecution::getWriteCount).sum();
		// before the projection's summary: what each partition's latest run has counted (it carries the earlier ones)
		Map<String, StepExecution> latestRuns = new TreeMap<>();
		allRuns.forEach(s -> latestRuns.merge(s.getStepName(), s, (a, b) -> a.getId() > b.getId() ? a : b));
		// every partition's range, those an earlier execution completed too (a restart runs only the others again)
		long total = latestRuns.isEmpty() ? -1
				: latestRuns.values().stream().mapToLong(s -> context(s).getLong(PARTITION_TOTAL, 0L)).sum();
		Map<String, Long> verdictsSoFar = new TreeMap<>();
		Map<String, Long> ruleHitsSoFar = new TreeMap<>();
		latestRuns.values().forEach(s -> {
			Found.verdicts(context(s), verdictsSoFar);
			Found.ruleHits(context(s), ruleHitsSoFar);
		});
		double percent = total <= 0 ? (total == 0 ? 100.0 : 0.0) : Math.round(1000.0 * done / total) / 10.0;
		Optional<JobSummary> summary = tables.summary(instanceId)
			.filter(s -> !execution.isRunning() || s.samples() > 0);
		long samples = summary.map(JobSummary::samples).orElse(done);
		long files = summary.map(JobSummary::files).orElse(done);
		// while it runs, one verdict per result event its chunks committed: counting the events in the store reads
		// every event of the job, on every poll (1.6 ms a poll at 1,300 samples, growing with the job)
		long resultEvents = summary.map(JobSummary::resultEvents)
			.orElseGet(() -> execution.isRunning() ? verdictsSoFar.values().stream().mapToLong(Long::longValue).sum()
					: events.count(instanceId, EventKind.ANALYSED) + events.count(instanceId, EventKind.FAILED));
		var parameters = execution.getJobParameters();
		return new JobStatus(execution.getId(), instanceId, execution.getJobInstance().getJobName(),
				execution.getStatus().name(), execution.getExitStatus().getExitCode(),
				exitDescription(execution), execution.getStartTime(),
				execution.getEndTime(),
				parameter(parameters, "source"), parameter(parameters, "rules"), parameter(parameters, "requestId"),
				samples, files, resultEvents, summary.map(JobSummary::errors).orElse(0L),
				summary.map(JobSummary::verdicts).orElse(verdictsSoFar),
				summary.map(JobSummary::ruleHits).orElse(ruleHitsSoFar),
				new JobStatus.Progress(done, total, percent),
				stepProgress(steps, execution),
				parameter(parameters, "launchedBy"), summary.map(JobSummary::diff).orElse(null));
	}

	/**
	 * Whether executions of the instance before this one (or after it) may have run partitions: a restart starts with
	 * the step the earlier execution stopped in, so that step then has more executions in the instance than in this
	 * one. Loading the instance's every execution, with each step's context, was half of a status request (polled
	 * while a job runs); a count says when it is needed. An execution with no step yet may be a restart: it is loaded.
	 */
	private boolean ranBefore(JobExecution execution, List<StepExecution> steps) {
		if (steps.isEmpty()) {
			return true;
		}
		String first = steps.get(0).getStepName();
		try {
			return jobs.getStepExecutionCount(execution.getJobInstance(), first) > steps.stream()
				.filter(s -> s.getStepName().equals(first))
				.count();
		}
		catch (NoSuchStepException | RuntimeException unknown) {
			return true;
		}
	}

	/** Each step; a partition with its range, its worker and, while the job runs, what the cluster does about it. */
	private List<JobStatus.StepProgress> stepProgress(List<StepExecution> steps, JobExecution execution) {
		Map<Long, PartitionHeartbeats.Beat> beats = Map.of();
		List<Long> remote = steps.stream().filter(s -> context(s).containsKey(PartitionQueueListener.WORKER))
			.map(StepExecution::getId).toList();
		if (!remote.isEmpty()) {
			try {
				beats = heartbeats.all(remote);
			}
			catch (RuntimeException unavailable) {
				// a job repository without the heartbeats table (no remote partition ran here yet)
			}
		}
		long now = System.currentTimeMillis();
		List<JobStatus.StepProgress> progress = new ArrayList<>();
		for (StepExecution s : steps) {
			boolean partition = s.getStepName().contains(":partition");
			long files = partition ? context(s).getLong(PARTITION_TOTAL, -1L) : -1;
			double percent = files <= 0 ? (files == 0 || !s.getStatus().isRunning() ? 100.0 : 0.0)
					: Math.min(100.0, Math.round(1000.0 * s.getWriteCount() / files) / 10.0);
			String worker = context(s).containsKey(PartitionQueueListener.WORKER)
					? context(s).getString(PartitionQueueListener.WORKER) : null;
			PartitionHeartbeats.Beat beat = beats.get(s.getId());
			Long silent = beat == null ? null : beat.silentMillis(now) / 1000;
			progress.add(new JobStatus.StepProgress(s.getStepName(), s.getStatus().name(), s.getReadCount(),
					s.getWriteCount(), s.getCommitCount(), s.getRollbackCount(), s.getStartTime(), s.getEndTime(), files,
					percent, beat == null ? worker : beat.worker(), silent,
					partition ? cluster(s, beat, execution, now) : null));
		}
		return progress;
	}

	private String cluster(StepExecution partition, PartitionHeartbeats.Beat beat, JobExecution execution, long now) {
		if (!execution.isRunning() || beat == null && !context(partition).containsKey(PartitionQueueListener.WORKER)) {
			return partition.getStatus() == org.springframework.batch.core.BatchStatus.STARTING && execution.isRunning()
					&& beat == null ? "waiting" : null;
		}
		return switch (partition.getStatus()) {
			case STARTING -> "waiting";
			case STOPPED -> "handed back";
			case STARTED -> beat == null ? "running"
					: beat.takeoverPending() ? "takeover pending"
					: beat.silentMillis(now) >= takeoverAfter.toMillis() ? "lost worker" : "running";
			default -> null;
		};
	}

	/** One line: the reason recorded when the job failed, else one made from the stored description. */
	private static String exitDescription(JobExecution execution) {
		ExecutionContext context = execution.getExecutionContext();
		if (context != null && context.containsKey(FAILURE_REASON)) {
			return context.getString(FAILURE_REASON);
		}
		return FailureReason.of(execution.getExitStatus().getExitDescription());
	}

	private static ExecutionContext context(StepExecution step) {
		return step.getExecutionContext() == null ? new ExecutionContext() : step.getExecutionContext();
	}

	private static String parameter(org.springframework.batch.core.job.parameters.JobParameters parameters,
			String name) {
		Object value = parameters.getParameter(name) == null ? null : parameters.getParameter(name).value();
		return value == null ? null : value.toString();
	}
}
