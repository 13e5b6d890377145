package io.trawl.jobs.rescan;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

import io.trawl.jobs.problem.FailureReason;

/**
 * Keeps a failed partition's one-line reason in its step execution context ({@value #REASON}), saved with the step's
 * end: a remote manager sees only what the job repository holds, and the stored exit description is a stack trace cut
 * to 2,500 characters, which often ends before the cause that says what went wrong (an unreachable DynamoDB, say).
 */
public final class PartitionFailureReason implements StepExecutionListener {

	public static final String REASON = "trawl.partition.failure.reason";

	@Override
	public ExitStatus afterStep(StepExecution stepExecution) {
		if (stepExecution.getStatus() == BatchStatus.FAILED && !stepExecution.getFailureExceptions().isEmpty()) {
			stepExecution.getExecutionContext().putString(REASON,
					FailureReason.ofFailure(stepExecution.getFailureExceptions().get(0)));
		}
		return null;
	}
}
