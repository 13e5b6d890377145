package io.trawl.jobs.rescan;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;

/**
 * Counts the errors an analyse partition meets and reports them to {@link RescanMetrics}: once per written chunk,
 * the results in it that are FAILED or carry analyzer errors (an archive member's result counts on its own), and
 * once per partition that ends FAILED. Shared by the partitions running at once; it keeps no state.
 */
final class WorkerErrorMetrics implements ItemWriteListener<SampleOutcome>, StepExecutionListener {

	private final RescanMetrics metrics;

	WorkerErrorMetrics(RescanMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public void afterWrite(Chunk<? extends SampleOutcome> chunk) {
		long errors = 0;
		for (SampleOutcome outcome : chunk) {
			errors += outcome.errors(); // counted by the processor, which had the findings at hand
		}
		if (errors > 0) {
			metrics.workerErrors(errors);
		}
	}

	@Override
	public ExitStatus afterStep(StepExecution stepExecution) {
		if (stepExecution.getStatus() == BatchStatus.FAILED) {
			metrics.workerErrors(1);
		}
		return null;
	}
}
