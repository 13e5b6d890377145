package io.trawl.jobs.project;

import java.util.Comparator;
import java.util.Optional;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.ObjectProvider;

import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.jobs.rescan.OwnerListener;
import io.trawl.jobs.rescan.RescanJobConfiguration;
import io.trawl.jobs.rescan.RescanLauncher;

/**
 * Keeps a rebuild from racing a rescan or another rebuild: emptying the tables under a rescan's projection, or under
 * another rebuild's, would lose what it wrote. An execution left STARTED by a process that is gone does not count.
 */
final class RunningJobs {

	private final JobRepository jobs;
	// asked for when needed: the launcher needs the job operator, which is made from every job, this one's too
	private final ObjectProvider<RescanLauncher> rescans;

	RunningJobs(JobRepository jobs, ObjectProvider<RescanLauncher> rescans) {
		this.jobs = jobs;
		this.rescans = rescans;
	}

	/**
	 * Throws one sentence when a rescan or another rebuild runs.
	 * @param self the rebuild's own execution, or null before it exists
	 */
	void refuseRebuild(Long self) {
		Optional<JobExecution> rescan = running(RescanJobConfiguration.JOB_NAME, self);
		if (rescan.isPresent()) {
			throw new IllegalStateException("A rescan is running (job execution " + rescan.get().getId()
					+ "); the query tables are rebuilt only while no rescan runs, so run ./trawl project --rebuild "
					+ "again once it has ended.");
		}
		Optional<JobExecution> rebuild = running(ProjectRebuildJobConfiguration.JOB_NAME, self);
		if (rebuild.isPresent()) {
			throw new IllegalStateException("The query tables are already being rebuilt (job execution "
					+ rebuild.get().getId() + "); wait for it to end.");
		}
	}

	/** The oldest execution of the job that runs in a live process, other than {@code self}. */
	private Optional<JobExecution> running(String jobName, Long self) {
		return jobs.findRunningJobExecutions(jobName).stream()
			.filter(execution -> self == null || execution.getId() != self)
			.filter(this::alive)
			.min(Comparator.comparingLong(JobExecution::getId));
	}

	/**
	 * Run by this process (a rescan that {@code serve} runs, asked for a rebuild over its socket), or by another one
	 * that lives. The launcher's test is for restarts, for which this process's own executions are dead ones.
	 */
	private boolean alive(JobExecution execution) {
		ExecutionContext owner = execution.getExecutionContext();
		boolean here = CrashEvidence.hostName().equals(owner.get(OwnerListener.HOST))
				&& Long.valueOf(ProcessHandle.current().pid()).equals(owner.get(OwnerListener.PID));
		return here || rescans.getObject().ownerAlive(execution).isPresent();
	}
}
