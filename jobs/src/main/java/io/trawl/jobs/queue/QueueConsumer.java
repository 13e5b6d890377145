package io.trawl.jobs.queue;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import io.awspring.cloud.sqs.MessageExecutionThreadFactory;
import io.awspring.cloud.sqs.listener.SqsHeaders;
import io.awspring.cloud.sqs.listener.SqsMessageListenerContainer;
import io.awspring.cloud.sqs.listener.Visibility;
import io.awspring.cloud.sqs.listener.acknowledgement.Acknowledgement;
import io.awspring.cloud.sqs.listener.acknowledgement.handler.AcknowledgementMode;
import io.awspring.cloud.sqs.listener.backpressure.BackPressureHandler;
import io.awspring.cloud.sqs.listener.backpressure.BackPressureHandlerFactories;
import io.awspring.cloud.sqs.listener.backpressure.BackPressureHandlerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One SQS consumer on Spring Cloud AWS's {@link SqsMessageListenerContainer}, with the rules both of Trawl's
 * consumers (the launch queue, the partitions queue) follow, in this one place:
 * <ul>
 * <li><b>manual acknowledgement</b>: a message is deleted only when its {@link Handler} says {@link Verdict#done()},
 * that is after the work it asked for is durably recorded; a handler that throws or says {@link Verdict#retry()}
 * leaves it on the queue, to come back after the visibility timeout (or the {@link Verdict#retryAfter} given);</li>
 * <li><b>dead letters with a reason</b>: {@link Verdict#reject(String)} copies the message to the DLQ with the reason
 * in its {@value DeadLetters#ERROR_ATTRIBUTE} attribute, then deletes it; without a DLQ (or when that send fails) it
 * stays, and the queue's redrive policy moves it after maxReceiveCount receives;</li>
 * <li><b>visibility extension</b> ({@link Builder#visibility(Duration, boolean)}): while a handler runs, the
 * message's visibility timeout is renewed every third of it, so a long partition is never handed to a second worker
 * while its worker lives; when that worker dies, the message reappears within one timeout;</li>
 * <li><b>bounded receives</b>: at most {@code concurrency} messages are in hand at once, and with
 * {@link Builder#limitedBy(IntSupplier)} nothing is received while the limit says no capacity is free, so waiting
 * messages use up no receives;</li>
 * <li><b>receive backoff</b>: a failed receive is tried again after 500 ms, doubling up to 30 s, starting again at
 * 500 ms after a good one.</li>
 * </ul>
 * It is built only by the beans that consume a queue, which exist only when their queue is configured: the embedded
 * default has none, and Spring Cloud AWS's own auto-configuration is off ({@code TrawlApplication}).
 */
public final class QueueConsumer {

	static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
	static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
	private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

	/** What to do with one received message; called on the container's threads, at most {@code concurrency} at once. */
	@FunctionalInterface
	public interface Handler {

		/**
		 * @param message the message as SQS delivered it (body, id, attributes with the approximate receive count)
		 * @return what became of it; throwing counts as {@link Verdict#retry()}
		 */
		Verdict handle(Message message);
	}

	/** A handler's decision about one message. */
	public record Verdict(Kind kind, String reason, Duration after) {

		public enum Kind { DONE, REJECTED, RETRY }

		/** The work is durably done (or was done before): delete the message. */
		public static Verdict done() {
			return new Verdict(Kind.DONE, null, null);
		}

		/** The message will never be processed: to the DLQ with this reason, then deleted. */
		public static Verdict reject(String reason) {
			return new Verdict(Kind.REJECTED, Objects.requireNonNull(reason), null);
		}

		/** Not now: the message stays on the queue and comes back after its visibility timeout. */
		public static Verdict retry() {
			return new Verdict(Kind.RETRY, null, null);
		}

		/** Not now: the message stays on the queue and comes back after {@code after} (zero: at once, for another). */
		public static Verdict retryAfter(Duration after) {
			return new Verdict(Kind.RETRY, null, after);
		}
	}

	private final String name;
	private final String queueUrl;
	private final SqsAsyncClient sqs;
	private final DeadLetters deadLetters;
	private final Handler handler;
	private final int concurrency;
	private final Duration pollTimeout;
	private final Duration visibility;
	private final boolean extendVisibility;
	private final Duration shutdownWait;
	private final IntSupplier limit;
	private SqsMessageListenerContainer<Object> container;
	private ThreadPoolTaskExecutor handlers;
	private ScheduledExecutorService heartbeat;

	private QueueConsumer(Builder builder) {
		this.name = builder.name;
		this.queueUrl = Objects.requireNonNull(builder.queueUrl, "queueUrl").trim();
		this.sqs = Objects.requireNonNull(builder.sqs, "sqs");
		this.deadLetters = new DeadLetters(builder.sqs, builder.dlqUrl);
		this.handler = Objects.requireNonNull(builder.handler, "handler");
		this.concurrency = Math.max(1, builder.concurrency);
		this.pollTimeout = builder.pollTimeout;
		this.visibility = builder.visibility;
		this.extendVisibility = builder.extendVisibility && builder.visibility != null;
		this.shutdownWait = builder.shutdownWait;
		this.limit = builder.limit;
	}

	/** A consumer of {@code queueUrl}, called {@code name} in the log ("launch", "partition"). */
	public static Builder of(String name, SqsAsyncClient sqs, String queueUrl) {
		return new Builder(name, sqs, queueUrl);
	}

	public String queueUrl() {
		return queueUrl;
	}

	public synchronized boolean isRunning() {
		return container != null && container.isRunning();
	}

	public synchronized void start() {
		if (isRunning()) {
			return;
		}
		if (!deadLetters.configured()) {
			log.warn("No DLQ is configured for the {} queue; its malformed messages stay on {} until its redrive policy "
					+ "moves them", name, queueUrl);
		}
		heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, name + "-visibility");
			thread.setDaemon(true);
			return thread;
		});
		handlers = handlerThreads();
		container = SqsMessageListenerContainer.builder()
			.id(name + "-queue")
			.sqsAsyncClient(sqs)
			.queueNames(queueUrl)
			.messageListener(this::onMessage)
			.configure(options -> {
				options.componentsTaskExecutor(handlers)
					.acknowledgementMode(AcknowledgementMode.MANUAL)
					// delete at once when acknowledged, not batched a second later
					.acknowledgementInterval(Duration.ZERO)
					.acknowledgementThreshold(0)
					.maxConcurrentMessages(concurrency)
					.maxMessagesPerPoll(Math.min(10, concurrency))
					.pollTimeout(pollTimeout)
					.maxDelayBetweenPolls(Duration.ofMillis(500))
					.pollBackOffPolicy(backOff())
					.backPressureHandlerFactory(backPressure())
					.listenerShutdownTimeout(shutdownWait)
					.messageSystemAttributeNames(List.of(MessageSystemAttributeName.ALL))
					.messageAttributeNames(List.of("All"));
				if (visibility != null) {
					options.messageVisibility(visibility);
				}
			})
			.build();
		container.start();
		log.info("Receiving {} messages from {}, {} at once", name, queueUrl, concurrency);
	}

	/** Stops receiving and waits up to the shutdown wait for the messages in hand; the rest come back to others. */
	public synchronized void stop() {
		if (container == null) {
			return;
		}
		try {
			container.stop();
			int still = handlers.getActiveCount();
			if (still > 0) {
				log.warn("{} {} messages are still being handled; they are not deleted, and come back to another "
						+ "consumer once their visibility timeout lapses", still, name);
			}
		}
		finally {
			container = null;
			handlers.shutdown();
			heartbeat.shutdownNow();
		}
	}

	/**
	 * The threads handlers run on: the container's own would be interrupted when it stops, failing a partition that
	 * outlives the shutdown wait; these are left to end (or to die with the JVM) instead.
	 */
	private ThreadPoolTaskExecutor handlerThreads() {
		MessageExecutionThreadFactory threads = new MessageExecutionThreadFactory(name + "-queue-");
		threads.setDaemon(true);
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setThreadFactory(threads);
		executor.setCorePoolSize(concurrency);
		executor.setMaxPoolSize(concurrency);
		executor.setQueueCapacity(concurrency);
		executor.setAllowCoreThreadTimeOut(true);
		executor.setWaitForTasksToCompleteOnShutdown(true); // shutdown() interrupts no handler
		executor.initialize();
		return executor;
	}

	private void onMessage(org.springframework.messaging.Message<Object> received) {
		Message message = received.getHeaders().get(SqsHeaders.SQS_SOURCE_DATA_HEADER, Message.class);
		Visibility visible = received.getHeaders().get(SqsHeaders.SQS_VISIBILITY_TIMEOUT_HEADER, Visibility.class);
		if (message == null) {
			// not from SQS: nothing to delete or extend; never the case with this container
			log.error("The {} queue listener got a message without its SQS source: {}", name, received.getHeaders());
			return;
		}
		ScheduledFuture<?> extension = extendVisibility && visible != null ? keepHidden(message, visible) : null;
		Verdict verdict;
		try {
			verdict = handler.handle(message);
		}
		catch (RuntimeException e) {
			log.warn("The {} message {} could not be handled now, receive {}; it stays on the queue and comes back after "
					+ "the visibility timeout: {}", name, message.messageId(), receiveCount(message), e.toString());
			verdict = Verdict.retry();
		}
		finally {
			if (extension != null) {
				extension.cancel(false);
			}
		}
		switch (verdict.kind()) {
			case DONE -> acknowledge(received, message);
			case REJECTED -> reject(received, message, verdict.reason());
			case RETRY -> {
				if (verdict.after() != null && visible != null) {
					try {
						visible.changeTo((int) Math.max(0, verdict.after().toSeconds()));
					}
					catch (RuntimeException e) {
						log.debug("Could not shorten the visibility of {} message {}: {}", name, message.messageId(),
								e.toString());
					}
				}
			}
		}
	}

	/** Renews the message's visibility every third of it until cancelled. */
	private ScheduledFuture<?> keepHidden(Message message, Visibility visible) {
		int seconds = (int) Math.min(Visibility.MAX_VISIBILITY_TIMEOUT_SECONDS, Math.max(1, visibility.toSeconds()));
		long every = Math.max(1000, visibility.toMillis() / 3);
		return heartbeat.scheduleAtFixedRate(() -> {
			try {
				visible.changeTo(seconds);
				log.debug("Extended the visibility of {} message {} by {} s", name, message.messageId(), seconds);
			}
			catch (RuntimeException e) {
				log.warn("Extending the visibility of {} message {} failed ({}); if this keeps failing another consumer "
						+ "may take it over", name, message.messageId(), e.getMessage());
			}
		}, every, every, TimeUnit.MILLISECONDS);
	}

	private void reject(org.springframework.messaging.Message<Object> received, Message message, String reason) {
		log.warn("The {} message {} is rejected: {}", name, message.messageId(), reason);
		if (!deadLetters.configured()) {
			return;
		}
		if (!deadLetters.send(message, reason)) {
			log.warn("Moving {} message {} to the DLQ {} failed; it stays on the queue", name, message.messageId(),
					deadLetters.url());
			return;
		}
		acknowledge(received, message);
	}

	private void acknowledge(org.springframework.messaging.Message<Object> received, Message message) {
		try {
			Acknowledgement.acknowledgeAsync(received).join();
		}
		catch (RuntimeException e) {
			// its work is done and recorded: a repeated delivery finds it so and is deleted then
			log.warn("Deleting {} message {} failed ({}); it will be delivered again and found done", name,
					message.messageId(), e.toString());
		}
	}

	/** Receives wait while the limit is 0; taken together with the container's own concurrency limit. */
	private BackPressureHandlerFactory backPressure() {
		BackPressureHandlerFactory concurrent = BackPressureHandlerFactories.concurrencyLimiterBackPressureHandler();
		if (limit == null) {
			return concurrent;
		}
		BackPressureHandlerFactory free = options -> new FreeCapacity(limit);
		return BackPressureHandlerFactories.compositeBackPressureHandler(concurrent, free);
	}

	private static ExponentialBackOffPolicy backOff() {
		ExponentialBackOffPolicy policy = new ExponentialBackOffPolicy();
		policy.setInitialInterval(FIRST_BACKOFF.toMillis());
		policy.setMultiplier(2);
		policy.setMaxInterval(MAX_BACKOFF.toMillis());
		return policy;
	}

	/** The approximate receive count SQS gives, 1 when absent. */
	public static int receiveCount(Message message) {
		try {
			return Integer.parseInt(
					message.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
		}
		catch (NumberFormatException e) {
			return 1;
		}
	}

	/** Grants at most what an outside limit says is free now; never blocks (the composite waits when it is 0). */
	private record FreeCapacity(IntSupplier free) implements BackPressureHandler {

		@Override
		public int request(int amount) {
			return Math.max(0, Math.min(amount, free.getAsInt()));
		}

		@Override
		public void release(int amount, ReleaseReason reason) {
		}

		@Override
		public boolean drain(Duration timeout) {
			return true;
		}
	}

	/** A consumer's settings; only the queue, the client and the handler are required. */
	public static final class Builder {

		private final String name;
		private final SqsAsyncClient sqs;
		private final String queueUrl;
		private String dlqUrl;
		private Handler handler;
		private int concurrency = 1;
		private Duration pollTimeout = Duration.ofSeconds(10);
		private Duration visibility;
		private boolean extendVisibility;
		private Duration shutdownWait = Duration.ofSeconds(20);
		private IntSupplier limit;

		private Builder(String name, SqsAsyncClient sqs, String queueUrl) {
			this.name = name;
			this.sqs = sqs;
			this.queueUrl = queueUrl;
		}

		/** Where rejected messages go, with the reason; blank: they stay for the queue's redrive policy. */
		public Builder deadLetters(String dlqUrl) {
			this.dlqUrl = dlqUrl;
			return this;
		}

		public Builder concurrency(int concurrency) {
			this.concurrency = concurrency;
			return this;
		}

		/** The long poll of one receive, at most 20 s. */
		public Builder pollTimeout(Duration pollTimeout) {
			this.pollTimeout = Duration.ofSeconds(Math.min(20, Math.max(0, pollTimeout.toSeconds())));
			return this;
		}

		/**
		 * The visibility timeout of received messages (else the queue's own); with {@code extend}, renewed every
		 * third of it while the handler runs.
		 */
		public Builder visibility(Duration visibility, boolean extend) {
			this.visibility = visibility;
			this.extendVisibility = extend;
			return this;
		}

		/** How long stopping waits for the messages in hand. */
		public Builder shutdownWait(Duration shutdownWait) {
			this.shutdownWait = shutdownWait;
			return this;
		}

		/** Free capacity outside the consumer (launch slots): nothing is received while it is 0. */
		public Builder limitedBy(IntSupplier free) {
			this.limit = free;
			return this;
		}

		public QueueConsumer handler(Handler handler) {
			this.handler = handler;
			return new QueueConsumer(this);
		}
	}
}
