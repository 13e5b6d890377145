package io.trawl.jobs.containment;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Counts the runs of each analyse partition in its step execution context, and saves the count before anything is
 * analysed. A restart copies the context of the execution it restarts, and a worker taking a partition over reads it
 * from the job repository, so a count above one means an earlier run ended without finishing: perhaps because a
 * sample killed its process. That run's first chunk is then analysed carefully (see {@link CarefulChunk}).
 */
public final class PartitionRuns implements StepExecutionListener {

	/** The runs of this partition so far, this one included, in its step execution context. */
	public static final String RUNS = "trawl.analysis.runs";

	private final JobRepository jobRepository;

	public PartitionRuns(JobRepository jobRepository) {
		this.jobRepository = jobRepository;
	}

	@Override
	public void beforeStep(StepExecution stepExecution) {
		var context = stepExecution.getExecutionContext();
		context.putInt(RUNS, run(stepExecution) + 1);
		jobRepository.updateExecutionContext(stepExecution);
	}

	/** This run's number, from 1, once {@link #beforeStep} has counted it. */
	public static int run(StepExecution stepExecution) {
		var context = stepExecution.getExecutionContext();
		return context.containsKey(RUNS) ? context.getInt(RUNS) : 0;
	}
}
