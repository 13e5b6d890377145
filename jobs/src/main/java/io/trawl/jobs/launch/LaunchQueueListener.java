package io.trawl.jobs.launch;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.SmartLifecycle;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import io.trawl.jobs.aws.AwsProperties;
import io.trawl.jobs.launch.LaunchMessage.InvalidLaunchMessageException;
import io.trawl.jobs.problem.ClientErrors;
import io.trawl.jobs.problem.LaunchRefusedException;
import io.trawl.jobs.rescan.RescanLauncher;

/**
 * Launches jobs from the SQS launch queue ({@link LaunchMessage}). A plain long-polling loop on one thread, so the
 * acknowledgement rules are explicit:
 * <ul>
 * <li>a valid message is deleted only after {@link RescanLauncher#submit} returned, that is once the job execution
 * is persisted; a duplicate (same requestId) returns the job it already started and is deleted too;</li>
 * <li>an invalid message (not JSON, unknown type, missing field, missing bucket, rules that do not compile) is
 * logged, sent to the DLQ with the reason in the {@value #ERROR_ATTRIBUTE} attribute, then deleted;</li>
 * <li>while every launch slot ({@code trawl.launch.max-running}) is busy, nothing is received: messages wait on the
 * queue without using up receives; one that loses a slot to another launch comes back after the Retry-After;</li>
 * <li>anything else (the database or AWS unavailable) leaves the message on the queue: it comes back after the
 * visibility timeout, and the queue's redrive policy moves it to the DLQ after maxReceiveCount receives.</li>
 * </ul>
 */
final class LaunchQueueListener implements SmartLifecycle {

	static final String ERROR_ATTRIBUTE = DeadLetters.ERROR_ATTRIBUTE;
	private static final Logger log = LoggerFactory.getLogger(LaunchQueueListener.class);

	enum Outcome { LAUNCHED, REJECTED, RETRY }

	private final SqsClient sqs;
	private final DeadLetters deadLetters;
	private final RescanLauncher launcher;
	private final AwsProperties.Launch settings;
	private volatile boolean running;
	private Thread thread;

	LaunchQueueListener(SqsClient sqs, RescanLauncher launcher, AwsProperties.Launch settings) {
		this.sqs = sqs;
		this.deadLetters = new DeadLetters(sqs, settings.dlqUrl());
		this.launcher = launcher;
		this.settings = settings;
	}

	@Override
	public boolean isAutoStartup() {
		return settings.enabled() && settings.queueUrl() != null && !settings.queueUrl().isBlank();
	}

	@Override
	public synchronized void start() {
		if (running) {
			return;
		}
		if (settings.dlqUrl() == null || settings.dlqUrl().isBlank()) {
			log.warn("No launch DLQ is configured (TRAWL_LAUNCH_DLQ_URL); invalid launch messages stay on {} until its "
					+ "redrive policy moves them", settings.queueUrl());
		}
		running = true;
		thread = new Thread(this::poll, "launch-queue");
		thread.setDaemon(true);
		thread.start();
		log.info("Listening for launch messages on {}", settings.queueUrl());
	}

	@Override
	public synchronized void stop() {
		running = false;
		if (thread != null) {
			try {
				thread.join(settings.waitTime().plusSeconds(10).toMillis());
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			thread = null;
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	private void poll() {
		ReceiveBackoff.repeat(log, "launch messages from " + settings.queueUrl(), () -> running, this::receiveOnce);
	}

	/** One receive and the launches it brings; throws when SQS or the database fails, for the backoff. */
	private void receiveOnce() {
		int free = launcher.freeSlots();
		if (free == 0) {
			// every launch slot is busy: leave the messages on the queue, unreceived, so waiting costs them no
			// receive count (maxReceiveCount would move them to the DLQ)
			sleep(Duration.ofMillis(500));
			return;
		}
		int waitSeconds = (int) Math.min(20, Math.max(0, settings.waitTime().toSeconds()));
		var messages = sqs.receiveMessage(b -> b.queueUrl(settings.queueUrl())
			.maxNumberOfMessages(Math.min(10, free))
			.waitTimeSeconds(waitSeconds)
			.messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
			.messageAttributeNames("All")).messages();
		for (Message message : messages) {
			if (!running) {
				break; // not deleted: it comes back after the visibility timeout
			}
			handle(message);
		}
	}

	/** Launches, rejects or leaves one message; never throws for a bad message. */
	Outcome handle(Message message) {
		LaunchMessage launch;
		try {
			launch = LaunchMessage.parse(message.body());
		}
		catch (InvalidLaunchMessageException e) {
			return reject(message, e.getMessage());
		}
		try {
			JobExecution execution = launcher.submit(launch.request());
			log.info("Launch message {} (request {}, {} {}) is job execution {}", message.messageId(),
					launch.requestId(), launch.type(), launch.source(), execution == null ? "?" : execution.getId());
			delete(message);
			return Outcome.LAUNCHED;
		}
		catch (Exception e) {
			if (isInvalidRequest(e)) {
				return reject(message, "Request " + launch.requestId() + " cannot be launched: " + userMessage(e));
			}
			if (e instanceof LaunchRefusedException busy && busy.retryAfter() != null) {
				// another launch took the last slot meanwhile: the message comes back once one may be free
				log.info("Launch message {} (request {}) waits: {}", message.messageId(), launch.requestId(),
						busy.getMessage());
				try {
					sqs.changeMessageVisibility(b -> b.queueUrl(settings.queueUrl())
						.receiptHandle(message.receiptHandle())
						.visibilityTimeout((int) Math.max(1, busy.retryAfter().toSeconds())));
				}
				catch (RuntimeException notChanged) {
					log.debug("Could not shorten the visibility of {}: {}", message.messageId(), notChanged.toString());
				}
				return Outcome.RETRY;
			}
			log.warn("Launch message {} (request {}) could not be launched now, receive {}; it stays on the queue and "
					+ "is retried after the visibility timeout: {}", message.messageId(), launch.requestId(),
					message.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "?"),
					e.toString());
			return Outcome.RETRY;
		}
	}

	private Outcome reject(Message message, String reason) {
		log.warn("Launch message {} is rejected: {}", message.messageId(), reason);
		if (!deadLetters.configured()) {
			return Outcome.RETRY;
		}
		if (!deadLetters.send(message, reason)) {
			log.warn("Moving launch message {} to the DLQ {} failed; it stays on the queue", message.messageId(),
					deadLetters.url());
			return Outcome.RETRY;
		}
		delete(message);
		return Outcome.REJECTED;
	}

	private void delete(Message message) {
		sqs.deleteMessage(b -> b.queueUrl(settings.queueUrl()).receiptHandle(message.receiptHandle()));
	}

	/**
	 * A request that will fail the same way every time: a bad source, bucket or rules, a place outside
	 * trawl.sources.allowed, a reserved or reused request id. An AWS error that a retry may cure (throttling, 5xx,
	 * I/O) is not, nor is a service at its launch limit: those messages come back after the visibility timeout.
	 */
	static boolean isInvalidRequest(Throwable e) {
		return ClientErrors.classify(e).filter(kind -> kind != ClientErrors.Kind.BUSY).isPresent();
	}

	private static String userMessage(Throwable e) {
		return ClientErrors.message(e).orElse("an internal error (see the service log)");
	}

	private static void sleep(Duration pause) {
		try {
			Thread.sleep(pause.toMillis());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
