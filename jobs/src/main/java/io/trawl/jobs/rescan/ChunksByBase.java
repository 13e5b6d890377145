package io.trawl.jobs.rescan;

import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;

/**
 * {@code analyseWorkerStep}: one step, run with the chunk size its job calls for. A partition of a full job runs
 * {@code full}; one of an incremental job ({@link IncrementalBase}) runs {@code incremental}, the same reader,
 * processor and writer in larger chunks. Both are named {@link RescanJobConfiguration#WORKER_STEP}, so a step
 * execution, a restart and a remote worker see one step whichever runs.
 */
final class ChunksByBase implements Step {

	private final Step full;
	private final Step incremental;

	ChunksByBase(Step full, Step incremental) {
		this.full = full;
		this.incremental = incremental;
	}

	@Override
	public String getName() {
		return full.getName();
	}

	@Override
	public boolean isAllowStartIfComplete() {
		return full.isAllowStartIfComplete();
	}

	@Override
	public int getStartLimit() {
		return full.getStartLimit();
	}

	@Override
	public void execute(StepExecution stepExecution) throws JobInterruptedException {
		(IncrementalBase.of(stepExecution) == null ? full : incremental).execute(stepExecution);
	}
}
