package io.trawl.jobs.project;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import io.trawl.jobs.rescan.ProgressMeter.Progress;
import io.trawl.jobs.rescan.RescanJobConfiguration;

/**
 * One partition per rescan job whose {@code projectStep} completed: exactly the jobs whose query tables exist. A job
 * that failed before projecting has events but no tables (its status counts from the job repository), and a rebuild
 * must not give it any. Read from the job repository a page at a time; the partitions themselves are one small
 * context per job. On a restart the same jobs get the same names, so the ones already projected are skipped.
 */
final class ProjectedJobsPartitioner implements Partitioner {

	static final String JOB_INSTANCE_ID = "project.jobInstanceId";
	private static final String PROJECT_STEP = "projectStep"; // RescanJobConfiguration's step that projects a job
	private static final int PAGE = 200;

	private final JobRepository jobs;
	private final StepExecution stepExecution;
	private final Progress progress;

	ProjectedJobsPartitioner(JobRepository jobs, StepExecution stepExecution, Progress progress) {
		this.jobs = jobs;
		this.stepExecution = stepExecution;
		this.progress = progress;
	}

	/** @param gridSize unused: there is one partition per job */
	@Override
	public Map<String, ExecutionContext> partition(int gridSize) {
		Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
		long[] alreadyProjected = { 0 };
		JobInstance rebuild = stepExecution.getJobExecution().getJobInstance();
		forEachProjected(jobs, rescan -> {
			String name = "job" + rescan.getInstanceId();
			ExecutionContext context = new ExecutionContext();
			context.putLong(JOB_INSTANCE_ID, rescan.getInstanceId());
			partitions.put(name, context);
			StepExecution earlier = jobs.getLastStepExecution(rebuild,
					ProjectRebuildJobConfiguration.WORKER_STEP + ":" + name);
			if (earlier != null && earlier.getStatus() == BatchStatus.COMPLETED) {
				alreadyProjected[0]++;
			}
		});
		// the progress bar counts jobs here, not samples
		progress.doneSamples.set(alreadyProjected[0]);
		progress.totalSamples.set(partitions.size());
		return partitions;
	}

	/** Each rescan job whose {@code projectStep} completed, newest first, read a page at a time. */
	static void forEachProjected(JobRepository jobs, Consumer<JobInstance> action) {
		for (int start = 0;; start += PAGE) {
			List<JobInstance> page = jobs.getJobInstances(RescanJobConfiguration.JOB_NAME, start, PAGE);
			for (JobInstance rescan : page) {
				StepExecution projected = jobs.getLastStepExecution(rescan, PROJECT_STEP);
				if (projected != null && projected.getStatus() == BatchStatus.COMPLETED) {
					action.accept(rescan);
				}
			}
			if (page.size() < PAGE) {
				return;
			}
		}
	}
}
