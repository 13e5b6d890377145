package io.trawl.jobs.partition;

import java.time.LocalDateTime;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.step.StepExecution;
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

	/** @param consumer the partitions queue's consumer, without its handler yet: this listener is it */
	PartitionQueueListener(QueueConsumer.Builder consumer, StepExecutionRequestHandler handler,
			JobRepository jobRepository, PartitionProperties settings, int threads, Set<String> workerSteps,
			ScaleInProtection protection) {
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
		consumer.start();
		log.info("Worker {} receives partitions from {}", workerId, consumer.queueUrl());
	}

	@Override
	public synchronized void stop() {
		consumer.stop();
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
			if (!status.isRunning()) {
				log.info("Partition {} ({}) already ended {}; message {} was a repeated delivery", partition.getId(),
						partition.getStepName(), status, message.messageId());
				return Verdict.done();
			}
			if (!partition.getJobExecution().isRunning()) {
				log.info("Job execution {} of partition {} is {}; not running the partition", partition.getJobExecutionId(),
						partition.getId(), partition.getJobExecution().getStatus());
				return Verdict.done();
			}
			if (status != BatchStatus.STARTING) {
				int deliveries = QueueConsumer.receiveCount(message);
				String previous = partition.getExecutionContext().containsKey(WORKER)
						? partition.getExecutionContext().getString(WORKER) : "?";
				if (deliveries > settings.maxDeliveries()) {
					return giveUp(partition, previous, deliveries);
				}
				log.warn("Partition {} ({}) was left {} by worker {}, whose message became visible again; worker {} "
						+ "takes it over from its last commit (delivery {} of at most {})", partition.getId(),
						partition.getStepName(), status, previous, workerId, deliveries, settings.maxDeliveries());
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
		partition.getExecutionContext().putString(WORKER, workerId);
		jobRepository.updateExecutionContext(partition);
		StepExecution result = handler.handle(request);
		StepExecution recorded = find(request.getStepExecutionId());
		if (recorded == null || recorded.getStatus().isRunning()) {
			log.warn("Partition {} ended {} but the job repository still says {}; message {} stays on the queue",
					request.getStepExecutionId(), result == null ? "?" : result.getStatus(),
					recorded == null ? "nothing" : recorded.getStatus(), message.messageId());
			return Verdict.retry();
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
