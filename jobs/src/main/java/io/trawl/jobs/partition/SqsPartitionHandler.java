package io.trawl.jobs.partition;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.partition.support.AbstractPartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.StepExecutionRequest;

/**
 * The manager's side of remote partitioning: sends one message per partition, then reads the partitions from the
 * job repository every {@code poll-interval} until each has ended, as Spring Batch's own
 * {@code MessageChannelPartitionHandler} does when it polls, with two differences:
 * <ul>
 * <li>a partition whose worker has been silent (no heartbeat) for {@code takeover-after} is <b>sent again</b>, once
 * per silence: the worker that receives it takes the same step execution over from its last commit (the step is
 * restartable and the event store is keyed by sample, so a chunk done twice adds nothing). Only the worker holds the
 * receipt handle of the first message, so the manager cannot make that one visible again; the first message, when it
 * reappears, finds the partition with a live worker or ended, and is deleted.</li>
 * <li>a partition STOPPED while its job was not asked to stop was <b>handed back</b> by a worker that was shutting
 * down (SIGTERM); it is still to be done, by the next worker, and does not end the wait.</li>
 * </ul>
 */
final class SqsPartitionHandler extends AbstractPartitionHandler {

	private static final Logger log = LoggerFactory.getLogger(SqsPartitionHandler.class);

	private final SqsPartitionSender sender;
	private final JobRepository jobRepository;
	private final PartitionHeartbeats heartbeats;
	private final PartitionProperties settings;
	private final String workerStep;

	SqsPartitionHandler(SqsPartitionSender sender, JobRepository jobRepository, PartitionHeartbeats heartbeats,
			PartitionProperties settings, String workerStep) {
		this.sender = sender;
		this.jobRepository = jobRepository;
		this.heartbeats = heartbeats;
		this.settings = settings;
		this.workerStep = workerStep;
	}

	@Override
	protected Set<StepExecution> doHandle(StepExecution managerStepExecution, Set<StepExecution> partitions)
			throws Exception {
		long jobExecutionId = managerStepExecution.getJobExecutionId();
		for (StepExecution partition : partitions) {
			sender.send(new StepExecutionRequest(workerStep, partition.getId()), jobExecutionId);
		}
		log.info("Job execution {}: sent {} partitions to the workers", jobExecutionId, partitions.size());
		Set<Long> ids = new HashSet<>();
		partitions.forEach(p -> ids.add(p.getId()));
		long deadline = System.nanoTime() + settings.timeout().toNanos();
		while (true) {
			Set<StepExecution> ended = ended(jobExecutionId, ids);
			if (ended != null) {
				return ended;
			}
			if (System.nanoTime() > deadline) {
				throw new TimeoutException("The partitions of job execution " + jobExecutionId + " did not all end "
						+ "within " + settings.timeout() + " (trawl.partitions.timeout)");
			}
			Thread.sleep(Math.max(50, settings.pollInterval().toMillis()));
		}
	}

	/** The partitions, once every one has ended; else null, after re-sending those whose worker fell silent. */
	private Set<StepExecution> ended(long jobExecutionId, Set<Long> ids) {
		JobExecution job = jobRepository.getJobExecution(jobExecutionId);
		boolean stopping = job.getStatus() == BatchStatus.STOPPING || job.getStatus() == BatchStatus.STOPPED;
		Map<Long, StepExecution> partitions = new HashMap<>();
		job.getStepExecutions().stream().filter(s -> ids.contains(s.getId())).forEach(s -> partitions.put(s.getId(), s));
		Set<StepExecution> ended = new HashSet<>();
		Set<Long> running = new HashSet<>();
		for (StepExecution partition : partitions.values()) {
			BatchStatus status = partition.getStatus();
			if (status == BatchStatus.STOPPED && !stopping) {
				continue; // handed back by a stopping worker; its message is visible again
			}
			if (status.isRunning()) {
				if (status == BatchStatus.STARTED) {
					running.add(partition.getId());
				}
				continue;
			}
			ended.add(partition);
		}
		if (ended.size() == ids.size()) {
			return ended;
		}
		if (!stopping) {
			resendSilent(jobExecutionId, running);
		}
		return null;
	}

	private void resendSilent(long jobExecutionId, Set<Long> running) {
		if (running.isEmpty()) {
			return;
		}
		long now = System.currentTimeMillis();
		long after = settings.takeoverAfter().toMillis();
		for (PartitionHeartbeats.Beat beat : heartbeats.all(running).values()) {
			if (beat.silentMillis(now) < after || beat.takeoverPending()) {
				continue;
			}
			log.warn("Job execution {}: the worker {} of partition {} has been silent for {} s; sending the partition "
					+ "again for another worker to take over from its last commit", jobExecutionId, beat.worker(),
					beat.stepExecutionId(), beat.silentMillis(now) / 1000);
			heartbeats.takeoverRequested(beat.stepExecutionId());
			sender.send(new StepExecutionRequest(workerStep, beat.stepExecutionId()), jobExecutionId);
		}
	}
}
