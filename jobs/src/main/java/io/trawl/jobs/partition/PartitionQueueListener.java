package io.trawl.jobs.partition;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.jobs.launch.DeadLetters;
import io.trawl.jobs.launch.ReceiveBackoff;
import io.trawl.jobs.partition.PartitionRequest.InvalidPartitionRequestException;

/**
 * Receives partition requests from the partitions queue and runs them, at most {@code threads} at once. A plain
 * long-polling loop, so the acknowledgement rules are explicit:
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
public final class PartitionQueueListener implements SmartLifecycle {

	static final String ERROR_ATTRIBUTE = DeadLetters.ERROR_ATTRIBUTE;
	/** Which worker ran a partition, in its step execution context. */
	public static final String WORKER = "trawl.partition.worker";
	private static final Logger log = LoggerFactory.getLogger(PartitionQueueListener.class);

	enum Outcome { RAN, ALREADY_ENDED, GAVE_UP, REJECTED, RETRY }

	private final SqsClient sqs;
	private final DeadLetters deadLetters;
	private final StepExecutionRequestHandler handler;
	private final JobRepository jobRepository;
	private final PartitionProperties settings;
	private final String queueUrl;
	private final int threads;
	private final Set<String> workerSteps;
	private final String workerId;
	private final Semaphore slots;
	private final Map<String, String> inFlight = new ConcurrentHashMap<>();
	private final AtomicLong partitionsRun = new AtomicLong();
	private volatile boolean running;
	private Thread poller;
	private ExecutorService partitions;
	private ScheduledExecutorService heartbeat;
	private ScaleInProtection protection = ScaleInProtection.NONE;

	PartitionQueueListener(SqsClient sqs, StepExecutionRequestHandler handler, JobRepository jobRepository,
			PartitionProperties settings, int threads, Set<String> workerSteps) {
		this.sqs = sqs;
		this.deadLetters = new DeadLetters(sqs, settings.dlqUrl());
		this.handler = handler;
		this.jobRepository = jobRepository;
		this.settings = settings;
		this.queueUrl = settings.requireQueueUrl();
		this.threads = Math.max(1, threads);
		this.workerSteps = workerSteps;
		this.workerId = settings.workerId() != null && !settings.workerId().isBlank() ? settings.workerId().trim()
				: CrashEvidence.hostName() + ":" + ProcessHandle.current().pid();
		this.slots = new Semaphore(this.threads);
	}

	/** Protects the instance from scale-in while partitions run. */
	PartitionQueueListener protecting(ScaleInProtection protection) {
		this.protection = protection;
		return this;
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
		if (running) {
			return;
		}
		if (!settings.hasDlq()) {
			log.warn("No partitions DLQ is configured (TRAWL_PARTITION_DLQ_URL); malformed partition messages stay on "
					+ "{} until its redrive policy moves them", queueUrl);
		}
		protection.reset();
		running = true;
		AtomicInteger n = new AtomicInteger();
		partitions = Executors.newFixedThreadPool(threads, r -> daemon(r, "partition-" + n.incrementAndGet()));
		heartbeat = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "partition-heartbeat"));
		long every = settings.heartbeat().toMillis();
		heartbeat.scheduleAtFixedRate(this::extendVisibility, every, every, TimeUnit.MILLISECONDS);
		poller = daemon(this::poll, "partition-queue");
		poller.start();
		log.info("Worker {} receives partitions from {}, {} at once", workerId, queueUrl, threads);
	}

	@Override
	public synchronized void stop() {
		if (!running) {
			return;
		}
		running = false;
		try {
			poller.join(settings.waitTime().plusSeconds(5).toMillis());
			partitions.shutdown();
			if (!partitions.awaitTermination(settings.shutdownWait().toMillis(), TimeUnit.MILLISECONDS)) {
				log.warn("{} partitions are still running on {}; they stay STARTED and another worker takes them over "
						+ "once their messages become visible again (within {})", inFlight.size(), workerId,
						settings.visibilityTimeout());
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		finally {
			heartbeat.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	private void poll() {
		ReceiveBackoff.repeat(log, "partitions from " + queueUrl, () -> running, this::receiveOnce);
	}

	/** Takes the free slots and one receive's partitions; throws when SQS fails, for the backoff. */
	private void receiveOnce() {
		int free;
		try {
			if (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
				return;
			}
			free = 1 + slots.drainPermits();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return;
		}
		int taken = 0;
		try {
			int max = Math.min(10, free);
			List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
				.maxNumberOfMessages(max)
				.waitTimeSeconds(settings.waitSeconds())
				.visibilityTimeout(settings.visibilitySeconds())
				.messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
				.messageAttributeNames("All")).messages();
			for (Message message : messages) {
				inFlight.put(message.messageId(), message.receiptHandle());
				taken++;
				partitions.execute(() -> {
					try {
						handle(message);
					}
					finally {
						inFlight.remove(message.messageId());
						slots.release();
					}
				});
			}
		}
		finally {
			slots.release(free - taken);
		}
	}

	/** Keeps the running partitions' messages hidden, so no other worker takes them over. */
	private void extendVisibility() {
		inFlight.forEach((messageId, receiptHandle) -> {
			try {
				sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl)
					.receiptHandle(receiptHandle)
					.visibilityTimeout(settings.visibilitySeconds()));
			}
			catch (RuntimeException e) {
				log.warn("Extending the visibility of partition message {} failed ({}); if this keeps failing another "
						+ "worker may take the partition over", messageId, e.getMessage());
			}
		});
	}

	/** Runs, skips, rejects or leaves one message; never throws. */
	Outcome handle(Message message) {
		StepExecutionRequest request;
		try {
			request = PartitionRequest.parse(message.body());
		}
		catch (InvalidPartitionRequestException e) {
			return reject(message, e.getMessage());
		}
		try {
			if (!workerSteps.contains(request.getStepName())) {
				return reject(message, "Step '" + request.getStepName() + "' is not a partition step; workers run "
						+ String.join(", ", workerSteps) + ".");
			}
			StepExecution partition = find(request.getStepExecutionId());
			if (partition == null) {
				return reject(message, "There is no step execution " + request.getStepExecutionId() + " in the job "
						+ "repository; the message was sent by a manager using another database, or its job was deleted.");
			}
			if (!partition.getStepName().startsWith(request.getStepName() + ":")) {
				return reject(message, "Step execution " + partition.getId() + " is '" + partition.getStepName()
						+ "', not a partition of '" + request.getStepName() + "'.");
			}
			BatchStatus status = partition.getStatus();
			if (!status.isRunning()) {
				log.info("Partition {} ({}) already ended {}; message {} was a repeated delivery", partition.getId(),
						partition.getStepName(), status, message.messageId());
				delete(message);
				return Outcome.ALREADY_ENDED;
			}
			if (!partition.getJobExecution().isRunning()) {
				log.info("Job execution {} of partition {} is {}; not running the partition", partition.getJobExecutionId(),
						partition.getId(), partition.getJobExecution().getStatus());
				delete(message);
				return Outcome.ALREADY_ENDED;
			}
			if (status != BatchStatus.STARTING) {
				int deliveries = receiveCount(message);
				String previous = partition.getExecutionContext().containsKey(WORKER)
						? partition.getExecutionContext().getString(WORKER) : "?";
				if (deliveries > settings.maxDeliveries()) {
					return giveUp(message, partition, previous, deliveries);
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
					+ "back after the visibility timeout: {}", message.messageId(), request, receiveCount(message),
					e.toString());
			return Outcome.RETRY;
		}
	}

	private Outcome run(Message message, StepExecutionRequest request, StepExecution partition) {
		partition.getExecutionContext().putString(WORKER, workerId);
		jobRepository.updateExecutionContext(partition);
		StepExecution result = handler.handle(request);
		StepExecution recorded = find(request.getStepExecutionId());
		if (recorded == null || recorded.getStatus().isRunning()) {
			log.warn("Partition {} ended {} but the job repository still says {}; message {} stays on the queue",
					request.getStepExecutionId(), result == null ? "?" : result.getStatus(),
					recorded == null ? "nothing" : recorded.getStatus(), message.messageId());
			return Outcome.RETRY;
		}
		partitionsRun.incrementAndGet();
		log.info("Partition {} ({}) ended {}: {} read, {} written", recorded.getId(), recorded.getStepName(),
				recorded.getStatus(), recorded.getReadCount(), recorded.getWriteCount());
		delete(message);
		return Outcome.RAN;
	}

	/** Marks a partition that keeps losing its worker FAILED, so the manager stops waiting and the job can restart. */
	private Outcome giveUp(Message message, StepExecution partition, String previous, int deliveries) {
		String reason = "Partition " + partition.getStepName() + " lost its worker (last " + previous + ") "
				+ (deliveries - 1) + " times; marked FAILED so the job can be restarted";
		log.error("{}", reason);
		partition.setStatus(BatchStatus.FAILED);
		partition.setExitStatus(ExitStatus.FAILED.addExitDescription(reason));
		partition.setEndTime(LocalDateTime.now());
		jobRepository.update(partition);
		delete(message);
		return Outcome.GAVE_UP;
	}

	private StepExecution find(long stepExecutionId) {
		try {
			return jobRepository.getStepExecution(stepExecutionId);
		}
		catch (org.springframework.dao.EmptyResultDataAccessException missing) {
			return null;
		}
	}

	private Outcome reject(Message message, String reason) {
		log.warn("Partition message {} is rejected: {}", message.messageId(), reason);
		if (!deadLetters.configured()) {
			return Outcome.RETRY;
		}
		if (!deadLetters.send(message, reason)) {
			log.warn("Moving partition message {} to the DLQ {} failed; it stays on the queue", message.messageId(),
					deadLetters.url());
			return Outcome.RETRY;
		}
		delete(message);
		return Outcome.REJECTED;
	}

	private void delete(Message message) {
		inFlight.remove(message.messageId());
		sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
	}

	private static int receiveCount(Message message) {
		try {
			return Integer.parseInt(
					message.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
		}
		catch (NumberFormatException e) {
			return 1;
		}
	}

	private static Thread daemon(Runnable runnable, String name) {
		Thread thread = new Thread(runnable, name);
		thread.setDaemon(true);
		return thread;
	}
}
