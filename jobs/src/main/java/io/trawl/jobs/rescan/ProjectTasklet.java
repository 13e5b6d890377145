package io.trawl.jobs.rescan;

import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultProjection;

/** {@code projectStep}: rebuilds the job's query tables from its events. Idempotent, so a restart simply reruns it. */
final class ProjectTasklet implements Tasklet {

	private final ResultProjection projection;

	ProjectTasklet(EventStore events, QueryTables tables) {
		this.projection = new ResultProjection(events, tables);
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
		long jobInstanceId = chunkContext.getStepContext().getStepExecution().getJobExecution().getJobInstance()
			.getInstanceId();
		JobSummary summary = projection.project(jobInstanceId);
		contribution.incrementWriteCount(summary.samples());
		return RepeatStatus.FINISHED;
	}
}
