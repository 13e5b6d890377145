package io.trawl.jobs.partition;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.SmartLifecycle;

import io.trawl.jobs.problem.FailureReason;
import io.trawl.jobs.rescan.OwnerListener;
import io.trawl.jobs.rescan.RescanJobConfiguration;
import io.trawl.jobs.rescan.RescanLauncher;

/**
 * On a manager service ({@code trawl serve --role manager}):
 * <ul>
 * <li>when it starts, it resumes each rescan left STARTED by a manager process that is gone (killed with
 * {@code kill -9}, a lost instance): the execution is recovered and restarted as {@code trawl restart} would, so the
 * job instance gets a new execution that waits for the partitions still to do (those that COMPLETED are not run
 * again) and then projects. No second job instance is started;</li>
 * <li>while it runs, it logs one line when a rescan ends, with its status and counts.</li>
 * </ul>
 */
final class ManagerWatch implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ManagerWatch.class);
	private static final Duration EVERY = Duration.ofSeconds(2);
	private static final String FAILURE_REASON = "trawl.failure.reason"; // FailureReasonListener

	private final JobRepository jobRepository;
	private final RescanLauncher launcher;
	private final Set<Long> seenRunning = new HashSet<>();
	private ScheduledExecutorService watching;

	ManagerWatch(JobRepository jobRepository, RescanLauncher launcher) {
		this.jobRepository = jobRepository;
		this.launcher = launcher;
	}

	@Override
	public synchronized void start() {
		for (JobExecution orphan : jobRepository.findRunningJobExecutions(RescanJobConfiguration.JOB_NAME)) {
			boolean ours = orphan.getExecutionContext().containsKey(OwnerListener.PID)
					&& orphan.getExecutionContext().getLong(OwnerListener.PID) == ProcessHandle.current().pid();
			if (!ours && launcher.ownerAlive(orphan).isEmpty()) {
				resume(orphan);
			}
		}
		watching = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, "manager-watch");
			thread.setDaemon(true);
			return thread;
		});
		watching.scheduleWithFixedDelay(this::watch, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void resume(JobExecution orphan) {
		log.warn("Job execution {} ({}) was left {} by a manager that is gone; resuming it: its partitions that ended "
				+ "stay done, the others are waited for or sent again", orphan.getId(),
				orphan.getJobParameters().getString("source"), orphan.getStatus());
		Thread thread = new Thread(() -> {
			try {
				JobExecution resumed = launcher.restart(orphan.getId());
				log.info("Job execution {} resumed as execution {}, which ended {}", orphan.getId(), resumed.getId(),
						resumed.getStatus());
			}
			catch (Exception e) {
				log.error("Resuming job execution {} failed; restart it with ./trawl restart {}: {}", orphan.getId(),
						orphan.getId(), e.toString());
			}
		}, "resume-" + orphan.getId());
		thread.start();
	}

	/** Logs each rescan this manager saw running once it has ended. */
	private void watch() {
		try {
			Set<Long> now = new HashSet<>();
			jobRepository.findRunningJobExecutions(RescanJobConfiguration.JOB_NAME).forEach(e -> now.add(e.getId()));
			synchronized (seenRunning) {
				for (Long id : Set.copyOf(seenRunning)) {
					if (!now.contains(id)) {
						seenRunning.remove(id);
						ended(id);
					}
				}
				seenRunning.addAll(now);
			}
		}
		catch (RuntimeException e) {
			log.debug("Could not read the running jobs: {}", e.toString());
		}
	}

	private void ended(long id) {
		JobExecution execution = jobRepository.getJobExecution(id);
		if (execution == null) {
			return;
		}
		long files = execution.getStepExecutions().stream().filter(s -> s.getStepName().contains(":partition"))
			.mapToLong(s -> s.getWriteCount()).sum();
		Duration took = execution.getStartTime() == null || execution.getEndTime() == null ? Duration.ZERO
				: Duration.between(execution.getStartTime(), execution.getEndTime());
		log.info("Job execution {} ({}) ended {}: {} files analysed by this execution in {} s{}", id,
				execution.getJobParameters().getString("source"), execution.getStatus(), files, took.toSeconds(),
				execution.getStatus() == BatchStatus.FAILED ? "; " + reason(execution) : "");
	}

	/** The failed job's one-line reason, as {@code trawl status} shows it. */
	private static String reason(JobExecution execution) {
		var context = execution.getExecutionContext();
		if (context != null && context.containsKey(FAILURE_REASON)) {
			return context.getString(FAILURE_REASON);
		}
		String reason = FailureReason.of(execution.getExitStatus().getExitDescription());
		return reason == null || reason.isBlank() ? "no reason recorded" : reason;
	}

	@Override
	public synchronized void stop() {
		if (watching != null) {
			watching.shutdownNow();
			watching = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return watching != null;
	}
}
