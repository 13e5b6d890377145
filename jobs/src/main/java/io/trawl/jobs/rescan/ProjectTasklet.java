package io.trawl.jobs.rescan;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultProjection;

/**
 * {@code projectStep}: rebuilds the job's query tables from its events, and stores in its summary what changed since
 * the previous COMPLETED job of the same source ({@link SummaryDiff}), both on {@code trawl.projection.threads} (on
 * JDBC the slices are read on those threads and written in this step's transaction). Idempotent, so a restart simply
 * reruns it.
 */
final class ProjectTasklet implements Tasklet {

	private final ResultProjection projection;
	private final SummaryDiff diff;

	/** @param threads slices of the job projected at once ({@code trawl.projection.threads}); 0: the store's default */
	ProjectTasklet(EventStore events, QueryTables tables, JobRepository jobs, int threads) {
		this.projection = new ResultProjection(events, tables, threads);
		// the diff reads what the projection wrote: in this transaction when that is where it was written (JDBC)
		this.diff = new SummaryDiff(jobs, tables, tables.singleWriter() ? 1 : projection.slices());
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
		JobExecution execution = chunkContext.getStepContext().getStepExecution().getJobExecution();
		JobSummary summary = projection.project(execution.getJobInstance().getInstanceId());
		diff.store(execution);
		contribution.incrementWriteCount(summary.samples());
		return RepeatStatus.FINISHED;
	}
}
