package io.trawl.jobs.launch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.SmartLifecycle;

import software.amazon.awssdk.services.sqs.model.Message;

import io.trawl.jobs.queue.DeadLetters;
import io.trawl.jobs.queue.QueueConsumer;
import io.trawl.jobs.queue.QueueConsumer.Verdict;
import io.trawl.jobs.launch.LaunchMessage.InvalidLaunchMessageException;
import io.trawl.jobs.problem.ClientErrors;
import io.trawl.jobs.problem.LaunchRefusedException;
import io.trawl.jobs.rescan.RescanLauncher;

/**
 * Launches jobs from the SQS launch queue ({@link LaunchMessage}), one message at a time, on a
 * {@link QueueConsumer} (Spring Cloud AWS's listener container, manual acknowledgement):
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
final class LaunchQueueListener implements SmartLifecycle, QueueConsumer.Handler {

	static final String ERROR_ATTRIBUTE = DeadLetters.ERROR_ATTRIBUTE;
	private static final Logger log = LoggerFactory.getLogger(LaunchQueueListener.class);

	private final RescanLauncher launcher;
	private final QueueConsumer consumer;

	/** @param consumer the launch queue's consumer, without its handler yet: this listener is it */
	LaunchQueueListener(RescanLauncher launcher, QueueConsumer.Builder consumer) {
		this.launcher = launcher;
		this.consumer = consumer.concurrency(1).limitedBy(launcher::freeSlots).handler(this);
	}

	@Override
	public void start() {
		consumer.start();
	}

	@Override
	public void stop() {
		consumer.stop();
	}

	@Override
	public boolean isRunning() {
		return consumer.isRunning();
	}

	/** Launches, rejects or leaves one message. */
	@Override
	public Verdict handle(Message message) {
		LaunchMessage launch;
		try {
			launch = LaunchMessage.parse(message.body());
		}
		catch (InvalidLaunchMessageException e) {
			return Verdict.reject(e.getMessage());
		}
		try {
			JobExecution execution = launcher.submit(launch.request());
			log.info("Launch message {} (request {}, {} {}) is job execution {}", message.messageId(),
					launch.requestId(), launch.type(), launch.source(), execution == null ? "?" : execution.getId());
			return Verdict.done();
		}
		catch (Exception e) {
			if (isInvalidRequest(e)) {
				return Verdict.reject("Request " + launch.requestId() + " cannot be launched: " + userMessage(e));
			}
			if (e instanceof LaunchRefusedException busy && busy.retryAfter() != null) {
				// another launch took the last slot meanwhile: the message comes back once one may be free
				log.info("Launch message {} (request {}) waits: {}", message.messageId(), launch.requestId(),
						busy.getMessage());
				return Verdict.retryAfter(busy.retryAfter());
			}
			log.warn("Launch message {} (request {}) could not be launched now, receive {}; it stays on the queue and "
					+ "is retried after the visibility timeout: {}", message.messageId(), launch.requestId(),
					QueueConsumer.receiveCount(message), e.toString());
			return Verdict.retry();
		}
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
}
