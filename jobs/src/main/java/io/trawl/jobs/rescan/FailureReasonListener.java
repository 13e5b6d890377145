package io.trawl.jobs.rescan;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

import io.trawl.jobs.problem.FailureReason;

/**
 * Keeps a failed job's one-line reason in its execution context ({@value #REASON}), taken from the exception itself:
 * the stored exit description is the outer stack trace cut to 2,500 characters, which often ends before the cause
 * that says what went wrong. The trace stays in the exit description and the log.
 */
final class FailureReasonListener implements JobExecutionListener {

	static final String REASON = "trawl.failure.reason";

	private final JobRepository jobRepository;

	FailureReasonListener(JobRepository jobRepository) {
		this.jobRepository = jobRepository;
	}

	@Override
	public void afterJob(JobExecution execution) {
		if (execution.getStatus() != BatchStatus.FAILED) {
			return;
		}
		// a partition's own failure says more than the manager step's "a partition failed" or the job's
		List<StepExecution> steps = execution.getStepExecutions().stream()
			.sorted(Comparator.comparing((StepExecution s) -> !s.getStepName().contains(":partition"))
				.thenComparingLong(StepExecution::getId))
			.toList();
		Stream.concat(steps.stream().flatMap(s -> s.getFailureExceptions().stream()),
				execution.getFailureExceptions().stream())
			.findFirst()
			.ifPresent(failure -> {
				execution.getExecutionContext().putString(REASON, FailureReason.ofFailure(failure));
				jobRepository.updateExecutionContext(execution);
			});
	}
}
