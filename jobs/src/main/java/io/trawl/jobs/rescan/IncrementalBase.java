package io.trawl.jobs.rescan;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import io.trawl.readmodel.manifest.Manifests;

/**
 * Picks the job an incremental rescan builds on, once, when its first execution starts: the source's basis, if it
 * ran with the same analysis settings and its ruleset's fingerprints are stored. The choice is kept in the job
 * execution context, which a restart inherits, so a restarted job keeps its base. {@code full=true}, no basis or
 * other settings: no base, every sample is analysed. When the job completes (its projection done), it becomes the
 * source's basis.
 */
final class IncrementalBase implements JobExecutionListener {

	private static final Logger log = LoggerFactory.getLogger(IncrementalBase.class);

	/** The base job instance id in the job execution context; {@link #NONE} for a full job. */
	static final String BASE = "incremental.base";
	static final long NONE = -1;
	/** The ruleset version the analyse partitions used, in their step execution contexts. */
	static final String RULESET_VERSION = "incremental.rulesetVersion";

	private final Manifests manifests;
	private final JobRepository jobRepository;
	private final String settings;
	private final DeltaRulesets deltas;

	/** @param settings the digest of the analysis settings that change results ({@link AnalysisSettings}) */
	IncrementalBase(Manifests manifests, JobRepository jobRepository, String settings, DeltaRulesets deltas) {
		this.manifests = manifests;
		this.jobRepository = jobRepository;
		this.settings = settings;
		this.deltas = deltas;
	}

	@Override
	public void beforeJob(JobExecution jobExecution) {
		ExecutionContext context = jobExecution.getExecutionContext();
		if (context.containsKey(BASE)) {
			return; // a restart: the first execution chose
		}
		String source = jobExecution.getJobParameters().getString("source");
		boolean full = Boolean.parseBoolean(jobExecution.getJobParameters().getString("full"));
		long base = full ? NONE : manifests.basis(source)
			.filter(basis -> basis.settings().equals(settings))
			.filter(basis -> manifests.ruleset(basis.rulesetVersion()).isPresent())
			.map(Manifests.Basis::jobInstanceId)
			.orElse(NONE);
		log.info(base == NONE ? "Rescan of {}: full{}" : "Rescan of {}: incremental, on job {}", source,
				base == NONE ? (full ? " (asked for)" : " (no earlier job of this source with these settings)") : base);
		context.putLong(BASE, base);
		jobRepository.updateExecutionContext(jobExecution);
	}

	@Override
	public void afterJob(JobExecution jobExecution) {
		deltas.release(jobExecution.getId());
		if (jobExecution.getStatus() != BatchStatus.COMPLETED) {
			return;
		}
		String version = jobExecution.getStepExecutions().stream()
			.map(StepExecution::getExecutionContext)
			.filter(context -> context.containsKey(RULESET_VERSION))
			.map(context -> context.getString(RULESET_VERSION))
			.findFirst()
			.orElse(null);
		if (version != null) {
			manifests.putBasis(new Manifests.Basis(jobExecution.getJobParameters().getString("source"),
					jobExecution.getJobInstance().getInstanceId(), version, settings));
		}
	}

	/** The base of the job whose step this is, or null for a full job. */
	static Long of(StepExecution stepExecution) {
		long base = stepExecution.getJobExecution().getExecutionContext().getLong(BASE, NONE);
		return base == NONE ? null : base;
	}
}
