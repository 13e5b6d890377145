package io.trawl.jobs.partition;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.StepLocator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.batch.integration.partition.StepExecutionRequestHandler;
import org.springframework.context.SmartLifecycle;

import software.amazon.awssdk.services.sqs.model.Message;

import io.trawl.jobs.queue.DeadLetters;
import io.trawl.jobs.queue.QueueConsumer;
import io.trawl.jobs.queue.QueueConsumer.Verdict;
import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.jobs.partition.PartitionRequest.InvalidPartitionRequestException;

/**
 * Receives partition requests from the partitions queue and runs them, at most {@code threads} at once, on a
 * {@link QueueConsumer} (Spring Cloud AWS's listener container, manual acknowledgement):
 * <ul>
 * <li>a message is deleted only once its step execution's end (COMPLETED, FAILED, STOPPED) is in the job
 * repository; while the partition runs, its visibility timeout is extended every third of it;</li>
 * <li>a message for a partition that already ended (a duplicate delivery) is deleted without running anything;</li>
 * <li>a message for a partition left STARTED (its worker vanished, so the message became visible again) is taken
 * over: the step execution is run again from its last commit, up to {@code maxDeliveries} deliveries; after that it
 * is marked FAILED, so the manager's step fails and the job can be restarted;</li>
 * <li>a malformed message (not a request, an unknown step, no such step execution) goes to the DLQ with the reason in
 * {@value #ERROR_ATTRIBUTE} and is deleted;</li>
 * <li>anything else (the database or SQS unavailable) leaves the message: it comes back after the visibility
 * timeout.</li>
 * </ul>
 * While a partition runs, its worker writes a heartbeat every {@code heartbeat-interval} ({@link PartitionHeartbeats});
 * a message for a partition that another worker is heard running is a repeated delivery and is deleted, so the
 * manager alone decides when a silent worker's partition is taken over. When the worker is stopped (SIGTERM), each
 * running partition ends after its current chunk, STOPPED, and is handed back at once: its message is made visible
 * again, and the next worker that receives it carries on from that chunk.
 */
public final class PartitionQueueListener implements SmartLifecycle, QueueConsumer.Handler {

	static final String ERROR_ATTRIBUTE = DeadLetters.ERROR_ATTRIBUTE;
	/** Which worker ran a partition, in its step execution context. */
	public static final String WORKER = "trawl.partition.worker";
	private static final Logger log = LoggerFactory.getLogger(PartitionQueueListener.class);

	private final QueueConsumer consumer;
	private final StepExecutionRequestHandler handler;
	private final JobRepository jobRepository;
	private final PartitionProperties settings;
	private final Set<String> workerSteps;
	private final String workerId;
	private final AtomicLong partitionsRun = new AtomicLong();
	private final ScaleInProtection protection;
	private final PartitionHeartbeats heartbeats;
	/** The partitions running here, as the step runs them: stopping sets each one's terminate flag. */
	private final Map<Long, StepExecution> running = new ConcurrentHashMap<>();
	private volatile boolean stopping;
	private ScheduledExecutorService beating;

	/** @param consumer the partitions queue's consumer, without its handler yet: this listener is it */
	PartitionQueueListener(QueueConsumer.Builder consumer, StepExecutionRequestHandler handler,
			JobRepository jobRepository, PartitionProperties settings, int threads, Set<String> workerSteps,
			ScaleInProtection protection, PartitionHeartbeats heartbeats) {
		this.heartbeats = heartbeats;
		this.handler = handler;
		this.jobRepository = jobRepository;
		this.settings = settings;
		this.workerSteps = workerSteps;
		this.workerId = settings.workerId() != null && !settings.workerId().isBlank() ? settings.workerId().trim()
				: CrashEvidence.hostName() + ":" + ProcessHandle.current().pid();
		this.protection = protection;
		this.consumer = consumer.deadLetters(settings.dlqUrl())
			.concurrency(Math.max(1, threads))
			.pollTimeout(settings.waitTime())
			.visibility(settings.visibility(), true)
			.shutdownWait(settings.shutdownWait())
			.handler(this);
	}

	/** This worker's name, as recorded in the step executions it ran. */
	public String workerId() {
		return workerId;
	}

	/** Partitions this worker ran to their end since it started. */
	public long partitionsRun() {
		return partitionsRun.get();
	}

	@Override
	public synchronized void start() {
		if (consumer.isRunning()) {
			return;
		}
		protection.reset();
		stopping = false;
		beating = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, "partition-heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		long every = Math.max(200, settings.heartbeatInterval().toMillis());
		beating.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
		consumer.start();
		log.info("Worker {} receives partitions from {}", workerId, consumer.queueUrl());
	}

	/**
	 * Stops receiving; each running partition ends after its current chunk and is handed back (see
	 * {@link #handBack}); waits up to the shutdown wait for them.
	 */
	@Override
	public synchronized void stop() {
		stopping = true;
		if (!running.isEmpty()) {
			log.info("Worker {} is stopping: {} running partitions end after their current chunk and go back to the "
					+ "queue", workerId, running.size());
		}
		running.values().forEach(StepExecution::setTerminateOnly);
		try {
			consumer.stop();
		}
		finally {
			if (beating != null) {
				beating.shutdownNow();
			}
		}
	}

	private void beat() {
		try {
			if (!running.isEmpty()) {
				heartbeats.beat(Set.copyOf(running.keySet()), workerId);
			}
		}
		catch (RuntimeException e) {
			log.warn("Worker {} could not record its heartbeat ({}); if this lasts, the manager hands its partitions to "
					+ "other workers", workerId, e.toString());
		}
	}

	/** Wraps the partition step so that this listener holds each running step execution (to stop it). */
	StepLocator tracking(StepLocator steps) {
		return name -> {
			Step step = steps.getStep(name);
			return step == null ? null : new Step() {

				@Override
				public String getName() {
					return step.getName();
				}

				@Override
				public void execute(StepExecution stepExecution)
						throws org.springframework.batch.core.job.JobInterruptedException {
					running.put(stepExecution.getId(), stepExecution);
					if (stopping) {
						stepExecution.setTerminateOnly();
					}
					try {
						step.execute(stepExecution);
					}
					finally {
						running.remove(stepExecution.getId());
					}
				}
			};
		};
	}

	@Override
	public boolean isRunning() {
		return consumer.isRunning();
	}

	/** Runs, skips, rejects or leaves one message. */
	@Override
	public Verdict handle(Message message) {
		StepExecutionRequest request;
		try {
			request = PartitionRequest.parse(message.body());
		}
		catch (InvalidPartitionRequestException e) {
			return Verdict.reject(e.getMessage());
		}
		try {
			if (!workerSteps.contains(request.getStepName())) {
				return Verdict.reject("Step '" + request.getStepName() + "' is not a partition step; workers run "
						+ String.join(", ", workerSteps) + ".");
			}
			StepExecution partition = find(request.getStepExecutionId());
			if (partition == null) {
				return Verdict.reject("There is no step execution " + request.getStepExecutionId() + " in the job "
						+ "repository; the message was sent by a manager using another database, or its job was deleted.");
			}
			if (!partition.getStepName().startsWith(request.getStepName() + ":")) {
				return Verdict.reject("Step execution " + partition.getId() + " is '" + partition.getStepName()
						+ "', not a partition of '" + request.getStepName() + "'.");
			}
			BatchStatus status = partition.getStatus();
			JobExecution job = partition.getJobExecution();
			boolean jobGoesOn = job.getStatus() == BatchStatus.STARTED || job.getStatus() == BatchStatus.STARTING;
			boolean handedBack = status == BatchStatus.STOPPED && jobGoesOn;
			if (!status.isRunning() && !handedBack) {
				log.info("Partition {} ({}) already ended {}; message {} was a repeated delivery", partition.getId(),
						partition.getStepName(), status, message.messageId());
				return Verdict.done();
			}
			if (!job.isRunning()) {
				log.info("Job execution {} of partition {} is {}; not running the partition", partition.getJobExecutionId(),
						partition.getId(), job.getStatus());
				return Verdict.done();
			}
			String previous = partition.getExecutionContext().containsKey(WORKER)
					? partition.getExecutionContext().getString(WORKER) : "?";
			if (handedBack) {
				log.info("Partition {} ({}) was handed back by worker {}; worker {} carries on from its last commit",
						partition.getId(), partition.getStepName(), previous, workerId);
			}
			else if (status != BatchStatus.STARTING) {
				PartitionHeartbeats.Beat beat = heartbeats.find(partition.getId()).orElse(null);
				long now = System.currentTimeMillis();
				if (beat != null && beat.silentMillis(now) < settings.takeoverAfter().toMillis()
						&& !beat.worker().equals(workerId)) {
					log.info("Partition {} ({}) is running on worker {}, heard {} s ago; message {} was a repeated "
							+ "delivery", partition.getId(), partition.getStepName(), beat.worker(),
							beat.silentMillis(now) / 1000, message.messageId());
					return Verdict.done();
				}
				int deliveries = Math.max(QueueConsumer.receiveCount(message), beat == null ? 1 : beat.attempts() + 1);
				if (deliveries > settings.maxDeliveries()) {
					return giveUp(partition, previous, deliveries);
				}
				log.warn("Partition {} ({}) was left {} by worker {}, silent for {} s; worker {} takes it over from its "
						+ "last commit (delivery {} of at most {})", partition.getId(), partition.getStepName(), status,
						previous, beat == null ? "?" : beat.silentMillis(now) / 1000, workerId, deliveries,
						settings.maxDeliveries());
			}
			protection.partitionStarted();
			try {
				return run(message, request, partition);
			}
			finally {
				protection.partitionEnded();
			}
		}
		catch (RuntimeException e) {
			log.warn("Partition message {} ({}) could not be handled now, receive {}; it stays on the queue and comes "
					+ "back after the visibility timeout: {}", message.messageId(), request, QueueConsumer.receiveCount(message),
					e.toString());
			return Verdict.retry();
		}
	}

	private Verdict run(Message message, StepExecutionRequest request, StepExecution partition) {
		if (stopping) {
			return Verdict.retryAfter(Duration.ZERO); // received as this worker stops: for another one
		}
		partition.getExecutionContext().putString(WORKER, workerId);
		jobRepository.updateExecutionContext(partition);
		if (!partition.getStatus().isRunning()) {
			// handed back STOPPED: running again, so the manager keeps waiting and its exit status is not STOPPED
			partition.setStatus(BatchStatus.STARTED);
			partition.setExitStatus(ExitStatus.EXECUTING);
			partition.setEndTime(null);
			jobRepository.update(partition);
		}
		heartbeats.started(partition.getId(), workerId);
		running.put(partition.getId(), partition); // beats from now; the step's own copy replaces it when it runs
		StepExecution result;
		try {
			result = handler.handle(request);
		}
		finally {
			running.remove(partition.getId());
		}
		StepExecution recorded = find(request.getStepExecutionId());
		if (recorded == null || recorded.getStatus().isRunning()) {
			log.warn("Partition {} ended {} but the job repository still says {}; message {} stays on the queue",
					request.getStepExecutionId(), result == null ? "?" : result.getStatus(),
					recorded == null ? "nothing" : recorded.getStatus(), message.messageId());
			return Verdict.retry();
		}
		if (recorded.getStatus() == BatchStatus.STOPPED && stopping) {
			log.info("Partition {} ({}) STOPPED after {} read as worker {} stops; handed back: message {} is visible "
					+ "again for another worker", recorded.getId(), recorded.getStepName(), recorded.getReadCount(),
					workerId, message.messageId());
			return Verdict.retryAfter(Duration.ZERO);
		}
		partitionsRun.incrementAndGet();
		log.info("Partition {} ({}) ended {}: {} read, {} written", recorded.getId(), recorded.getStepName(),
				recorded.getStatus(), recorded.getReadCount(), recorded.getWriteCount());
		return Verdict.done();
	}

	/** Marks a partition that keeps losing its worker FAILED, so the manager stops waiting and the job can restart. */
	private Verdict giveUp(StepExecution partition, String previous, int deliveries) {
		String reason = "Partition " + partition.getStepName() + " lost its worker (last " + previous + ") "
				+ (deliveries - 1) + " times; marked FAILED so the job can be restarted";
		log.error("{}", reason);
		partition.setStatus(BatchStatus.FAILED);
		partition.setExitStatus(ExitStatus.FAILED.addExitDescription(reason));
		partition.setEndTime(LocalDateTime.now());
		jobRepository.update(partition);
		return Verdict.done();
	}

	private StepExecution find(long stepExecutionId) {
		try {
			return jobRepository.getStepExecution(stepExecutionId);
		}
		catch (org.springframework.dao.EmptyResultDataAccessException missing) {
			return null;
		}
	}
}
