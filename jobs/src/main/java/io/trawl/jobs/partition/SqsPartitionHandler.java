package io.trawl.jobs.partition;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
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

import io.trawl.jobs.problem.FailureReason;
import io.trawl.jobs.rescan.PartitionFailureReason;

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
 * <li>a partition that waits for a worker (STARTING, handed back, or re-sent for a takeover no worker has begun)
 * while the queue has held no message for {@code takeover-after} had its message <b>lost</b> (an emulator restarted
 * with its queues in memory) and is sent again.</li>
 * </ul>
 * A re-send that fails (SQS unreachable) is tried again at the next poll rather than failing the job.
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
		Wait wait = new Wait(jobExecutionId, System.currentTimeMillis());
		partitions.forEach(p -> wait.sentAt.put(p.getId(), wait.started));
		long deadline = System.nanoTime() + settings.timeout().toNanos();
		while (true) {
			Set<StepExecution> ended = ended(wait);
			if (ended != null) {
				keepFailureReason(managerStepExecution, ended);
				return ended;
			}
			if (System.nanoTime() > deadline) {
				throw new TimeoutException("The partitions of job execution " + jobExecutionId + " did not all end "
						+ "within " + settings.timeout() + " (trawl.partitions.timeout)");
			}
			Thread.sleep(Math.max(50, settings.pollInterval().toMillis()));
		}
	}

	/**
	 * A partition failed on a worker, in another JVM: its exception is not here, only the one-line reason the worker
	 * kept ({@link PartitionFailureReason}) and its exit description (a stack trace). That reason becomes this step's first failure, so the job's reason ({@code trawl status}) is the
	 * partition's, such as an unreachable DynamoDB, rather than Spring Batch's "Partition handler returned an
	 * unsuccessful step".
	 */
	private static void keepFailureReason(StepExecution managerStepExecution, Set<StepExecution> ended) {
		ended.stream().filter(p -> p.getStatus() == BatchStatus.FAILED)
			.min(Comparator.comparingLong(StepExecution::getId))
			.map(p -> p.getExecutionContext().containsKey(PartitionFailureReason.REASON)
					? p.getExecutionContext().getString(PartitionFailureReason.REASON)
					: FailureReason.of(p.getExitStatus().getExitDescription()))
			.filter(reason -> reason != null && !reason.isBlank())
			.ifPresent(reason -> managerStepExecution.addFailureException(new PartitionFailedException(reason)));
	}

	/** A remote partition's failure, as its one-line reason. */
	static final class PartitionFailedException extends RuntimeException {

		PartitionFailedException(String reason) {
			super(reason, null, false, false);
		}
	}

	/** One job execution's wait: when each partition was last sent, and since when the queue has looked empty. */
	private static final class Wait {

		final long jobExecutionId;
		final long started;
		final Map<Long, Long> sentAt = new HashMap<>();
		Long queueEmptySince;

		Wait(long jobExecutionId, long started) {
			this.jobExecutionId = jobExecutionId;
			this.started = started;
		}
	}

	/** The partitions, once every one has ended; else null, after re-sending those whose worker fell silent. */
	private Set<StepExecution> ended(Wait wait) {
		JobExecution job = jobRepository.getJobExecution(wait.jobExecutionId);
		boolean stopping = job.getStatus() == BatchStatus.STOPPING || job.getStatus() == BatchStatus.STOPPED;
		Map<Long, StepExecution> partitions = new HashMap<>();
		job.getStepExecutions().stream().filter(s -> wait.sentAt.containsKey(s.getId()))
			.forEach(s -> partitions.put(s.getId(), s));
		Set<StepExecution> ended = new HashSet<>();
		Set<Long> running = new HashSet<>();
		Set<Long> waiting = new HashSet<>();
		for (StepExecution partition : partitions.values()) {
			BatchStatus status = partition.getStatus();
			if (status == BatchStatus.STOPPED && !stopping) {
				waiting.add(partition.getId()); // handed back by a stopping worker; its message is visible again
				continue;
			}
			if (status.isRunning()) {
				if (status == BatchStatus.STARTED) {
					running.add(partition.getId());
				}
				else {
					waiting.add(partition.getId());
				}
				continue;
			}
			ended.add(partition);
		}
		if (ended.size() == wait.sentAt.size()) {
			return ended;
		}
		if (!stopping) {
			Set<Long> pendingTakeovers = resendSilent(wait, running);
			waiting.addAll(pendingTakeovers);
			resendLost(wait, waiting, pendingTakeovers);
		}
		return null;
	}

	/** Re-sends the running partitions whose worker fell silent; returns those re-sent earlier and not yet taken. */
	private Set<Long> resendSilent(Wait wait, Set<Long> running) {
		Set<Long> pending = new HashSet<>();
		if (running.isEmpty()) {
			return pending;
		}
		long now = System.currentTimeMillis();
		long after = settings.takeoverAfter().toMillis();
		for (PartitionHeartbeats.Beat beat : heartbeats.all(running).values()) {
			if (beat.takeoverPending()) {
				pending.add(beat.stepExecutionId());
				continue;
			}
			if (beat.silentMillis(now) < after) {
				continue;
			}
			log.warn("Job execution {}: the worker {} of partition {} has been silent for {} s; sending the partition "
					+ "again for another worker to take over from its last commit", wait.jobExecutionId, beat.worker(),
					beat.stepExecutionId(), beat.silentMillis(now) / 1000);
			if (resend(wait, beat.stepExecutionId(), now)) {
				heartbeats.takeoverRequested(beat.stepExecutionId());
			}
		}
		return pending;
	}

	/**
	 * Sends again the partitions that wait for a worker while the queue has held no message for {@code takeover-after}:
	 * their messages were lost (SQS does not lose them, but an emulator restarted with its queues in memory does). A
	 * message merely in a worker's hands for a moment, or a duplicate, costs nothing: a worker deletes a message for
	 * a partition that has a live worker or has ended.
	 */
	private void resendLost(Wait wait, Set<Long> waiting, Set<Long> pendingTakeovers) {
		if (waiting.isEmpty()) {
			wait.queueEmptySince = null;
			return;
		}
		long now = System.currentTimeMillis();
		OptionalLong visible = sender.visibleMessages();
		if (visible.isEmpty() || visible.getAsLong() > 0) {
			wait.queueEmptySince = null;
			return;
		}
		if (wait.queueEmptySince == null) {
			wait.queueEmptySince = now;
		}
		long after = settings.takeoverAfter().toMillis();
		if (now - wait.queueEmptySince < after) {
			return;
		}
		for (long id : waiting) {
			if (now - wait.sentAt.get(id) < after) {
				continue;
			}
			log.warn("Job execution {}: partition {} has waited for a worker for {} s while the partitions queue held no "
					+ "message; its message was lost (was the queue's service restarted?), so it is sent again",
					wait.jobExecutionId, id, (now - wait.sentAt.get(id)) / 1000);
			if (resend(wait, id, now) && pendingTakeovers.contains(id)) {
				heartbeats.takeoverRequested(id);
			}
		}
		wait.queueEmptySince = null;
	}

	/** Sends a partition again; a failure (SQS unreachable) is logged and left to the next poll. */
	private boolean resend(Wait wait, long stepExecutionId, long now) {
		try {
			sender.send(new StepExecutionRequest(workerStep, stepExecutionId), wait.jobExecutionId);
			wait.sentAt.put(stepExecutionId, now);
			return true;
		}
		catch (RuntimeException e) {
			log.warn("Job execution {}: sending partition {} again failed, tried again at the next poll: {}",
					wait.jobExecutionId, stepExecutionId, e.getMessage());
			return false;
		}
	}
}
