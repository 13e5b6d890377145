package io.trawl.jobs.rescan;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the errors an analyse partition meets ({@value RescanMeterNames#WORKER_ERRORS}): per written chunk, the
 * results in it that are FAILED or carry analyzer errors (an archive member's result counts on its own), and 1 per
 * partition that ends FAILED. Shared by the partitions running at once; it keeps no state but the counter.
 */
final class WorkerErrorMetrics implements ItemWriteListener<SampleOutcome>, StepExecutionListener {

	private final Counter errors;

	WorkerErrorMetrics(MeterRegistry registry) {
		this.errors = Counter.builder(RescanMeterNames.WORKER_ERRORS)
			.description("Results FAILED or with analyzer errors, and analyse partitions that ended FAILED")
			.register(registry);
	}

	@Override
	public void afterWrite(Chunk<? extends SampleOutcome> chunk) {
		long count = 0;
		for (SampleOutcome outcome : chunk) {
			count += outcome.errors(); // counted by the processor, which had the findings at hand
		}
		if (count > 0) {
			errors.increment(count);
		}
	}

	@Override
	public ExitStatus afterStep(StepExecution stepExecution) {
		if (stepExecution.getStatus() == BatchStatus.FAILED) {
			errors.increment();
		}
		return null;
	}
}
