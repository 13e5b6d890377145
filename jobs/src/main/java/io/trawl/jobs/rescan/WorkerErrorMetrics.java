package io.trawl.jobs.rescan;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;

/**
 * Counts the errors an analyse partition meets and reports them to {@link RescanMetrics}: once per written chunk,
 * the results in it that are FAILED or carry analyzer errors (an archive member's result counts on its own), and
 * once per partition that ends FAILED. Shared by the partitions running at once; it keeps no state.
 */
final class WorkerErrorMetrics implements ItemWriteListener<SampleOutcome>, StepExecutionListener {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RescanMetrics metrics;

	WorkerErrorMetrics(RescanMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public void afterWrite(Chunk<? extends SampleOutcome> chunk) {
		long errors = 0;
		for (SampleOutcome outcome : chunk) {
			errors += outcome.events().stream().filter(WorkerErrorMetrics::isError).count();
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

	static boolean isError(ResultEvent event) {
		return event.kind() == EventKind.FAILED
				|| event.kind() == EventKind.ANALYSED && !JSON.readTree(event.payload()).path("errors").isEmpty();
	}
}
