package io.trawl.jobs.project;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

import io.trawl.jobs.audit.AuditLog;

/** Starts {@code projectRebuildJob} and reports what a rebuild projected, across its restarts. */
@Component
public class ProjectRebuild {

	private final JobOperator operator;
	private final JobRepository repository;
	private final Job projectRebuildJob;
	private final RunningJobs running;

	ProjectRebuild(JobOperator operator, JobRepository repository,
			@Qualifier(ProjectRebuildJobConfiguration.JOB_NAME) Job projectRebuildJob, RunningJobs running) {
		this.operator = operator;
		this.repository = repository;
		this.projectRebuildJob = projectRebuildJob;
		this.running = running;
	}

	/**
	 * What a rebuild has projected so far, its earlier executions' partitions included.
	 * @param jobs rescan jobs projected
	 * @param samples their samples (archive members included)
	 * @param events events read
	 */
	public record Report(long jobExecutionId, String status, long jobs, long samples, long events) {
	}

	/**
	 * Rebuilds every query table on the caller's thread; refused with one sentence while a rescan or another rebuild
	 * runs.
	 */
	public JobExecution run(String launchedBy) throws Exception {
		running.refuseRebuild(null);
		AuditLog.record("rebuild", launchedBy, Map.of());
		return operator.start(projectRebuildJob, new JobParametersBuilder()
			.addString("requestId", "rebuild-" + UUID.randomUUID())
			.addString("launchedBy", launchedBy)
			.toJobParameters());
	}

	public static boolean isRebuild(JobExecution execution) {
		return ProjectRebuildJobConfiguration.JOB_NAME.equals(execution.getJobInstance().getJobName());
	}

	public Report report(JobExecution execution) {
		// each job's partition as it last ran, in whichever execution of this rebuild that was
		Map<String, StepExecution> partitions = new TreeMap<>();
		for (JobExecution run : repository.getJobExecutions(execution.getJobInstance())) {
			for (StepExecution step : run.getStepExecutions()) {
				if (step.getStepName().startsWith(ProjectRebuildJobConfiguration.WORKER_STEP + ":")) {
					partitions.merge(step.getStepName(), step, (a, b) -> a.getId() > b.getId() ? a : b);
				}
			}
		}
		long jobs = 0;
		long samples = 0;
		long events = 0;
		for (StepExecution partition : partitions.values()) {
			if (partition.getStatus() == BatchStatus.COMPLETED) {
				jobs++;
				samples += partition.getWriteCount();
				events += partition.getExecutionContext().getLong(ProjectJobTasklet.EVENTS, 0L);
			}
		}
		return new Report(execution.getId(), execution.getStatus().name(), jobs, samples, events);
	}
}
