package io.trawl.jobs.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import io.trawl.jobs.queue.QueueConsumer.Verdict;

/**
 * The one SQS consumer both of Trawl's queues use, on Spring Cloud AWS's listener container and an embedded
 * ElasticMQ: a message is deleted only when its handler says the work is done, a long handler keeps its message from
 * a second consumer, a rejected message lands in the DLQ with its reason, and failed receives back off.
 */
class QueueConsumerTests {

	static SQSRestServer elasticMq;
	static String endpoint;
	static SqsClient sqs;
	static SqsAsyncClient async;

	@BeforeAll
	static void startElasticMq() {
		elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
		endpoint = "http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort();
		sqs = SqsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
			.credentialsProvider(credentials()).build();
		async = asyncClient(null);
	}

	@AfterAll
	static void stopElasticMq() {
		if (async != null) {
			async.close();
		}
		if (sqs != null) {
			sqs.close();
		}
		if (elasticMq != null) {
			elasticMq.stopAndWait();
		}
	}

	@Test
	void aMessageWhoseWorkFailsTransientlyIsNotDeletedAndComesBack() {
		String queue = queue(1);
		List<Integer> deliveries = new CopyOnWriteArrayList<>();
		// the first attempt fails as a launch does while the database or AWS is unavailable; the second succeeds
		QueueConsumer consumer = consumer(queue, null).handler(message -> {
			deliveries.add(QueueConsumer.receiveCount(message));
			if (deliveries.size() == 1) {
				throw SdkClientException.create("the job repository is unavailable");
			}
			return Verdict.done();
		});
		consumer.start();
		try {
			sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"work\":1}"));

			await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() >= 2);
			assertThat(deliveries).as("received again, from the queue: SQS counts the second receive")
				.startsWith(1, 2);
			await().atMost(Duration.ofSeconds(10)).until(() -> depth(queue) == 0);
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> deliveries.size() == 2);
		}
		finally {
			consumer.stop();
		}
	}

	@Test
	void aMessageToRetryLaterStaysOnTheQueueInFlightAndComesBackAfterTheRetryAfter() {
		String queue = queue(30);
		List<Integer> depthWhileHandled = new CopyOnWriteArrayList<>();
		QueueConsumer consumer = consumer(queue, null).handler(message -> {
			depthWhileHandled.add(depth(queue));
			return Verdict.retryAfter(Duration.ofSeconds(1)); // as a launch that lost its slot to another
		});
		consumer.start();
		try {
			sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"later\":1}"));
			// it comes back after 1 s, not after the queue's 30 s, and is never deleted
			await().atMost(Duration.ofSeconds(10)).until(() -> depthWhileHandled.size() >= 3);
			assertThat(depthWhileHandled).allSatisfy(depth -> assertThat(depth).isEqualTo(1));
			assertThat(depth(queue)).isEqualTo(1);
		}
		finally {
			consumer.stop();
		}
	}

	@Test
	void aHandlerLongerThanTheVisibilityTimeoutKeepsItsMessageFromASecondConsumer() {
		String queue = queue(2);
		Map<String, AtomicInteger> handledBy = new ConcurrentHashMap<>();
		QueueConsumer.Handler slow = message -> {
			sleep(Duration.ofSeconds(7)); // three and a half visibility timeouts
			return Verdict.done();
		};
		QueueConsumer first = consumer(queue, null).visibility(Duration.ofSeconds(2), true)
			.handler(counting("first", handledBy, slow));
		QueueConsumer second = consumer(queue, null).visibility(Duration.ofSeconds(2), true)
			.handler(counting("second", handledBy, slow));
		first.start();
		second.start();
		try {
			sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"partition\":1}"));

			await().atMost(Duration.ofSeconds(30)).until(() -> depth(queue) == 0);
			sleep(Duration.ofSeconds(3)); // any redelivery would have happened by now

			assertThat(handledBy.values().stream().mapToInt(AtomicInteger::get).sum())
				.as("one consumer ran it, once: %s", handledBy).isEqualTo(1);
		}
		finally {
			first.stop();
			second.stop();
		}
	}

	@Test
	void withoutTheExtensionASecondConsumerTakesTheMessageOver() {
		// the control for the test above: the same handlers without the extension, and the message is run twice
		String queue = queue(2);
		Map<String, AtomicInteger> handledBy = new ConcurrentHashMap<>();
		QueueConsumer.Handler slow = message -> {
			sleep(Duration.ofSeconds(5));
			return Verdict.done();
		};
		QueueConsumer first = consumer(queue, null).visibility(Duration.ofSeconds(2), false)
			.handler(counting("first", handledBy, slow));
		QueueConsumer second = consumer(queue, null).visibility(Duration.ofSeconds(2), false)
			.handler(counting("second", handledBy, slow));
		first.start();
		second.start();
		try {
			sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"partition\":2}"));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> handledBy.values().stream().mapToInt(AtomicInteger::get).sum() >= 2);
		}
		finally {
			first.stop();
			second.stop();
		}
	}

	@Test
	void aRejectedMessageGoesToTheDlqWithItsReasonAndTheConsumerGoesOn() {
		String queue = queue(30);
		String dlq = queue(30);
		List<String> done = new CopyOnWriteArrayList<>();
		QueueConsumer consumer = consumer(queue, dlq).handler(message -> {
			if (message.body().startsWith("{")) {
				done.add(message.body());
				return Verdict.done();
			}
			return Verdict.reject("The message is not valid JSON; send a JSON object.");
		});
		consumer.start();
		try {
			String malformed = "not json at all";
			String messageId = sqs.sendMessage(b -> b.queueUrl(queue).messageBody(malformed)).messageId();
			sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"good\":1}"));

			List<Message> dead = await().atMost(Duration.ofSeconds(20)).until(() -> messages(dlq), m -> !m.isEmpty());
			assertThat(dead).hasSize(1);
			assertThat(dead.get(0).body()).isEqualTo(malformed);
			assertThat(dead.get(0).messageAttributes().get(DeadLetters.ERROR_ATTRIBUTE).stringValue())
				.isEqualTo("The message is not valid JSON; send a JSON object.");
			assertThat(dead.get(0).messageAttributes().get(DeadLetters.MESSAGE_ID_ATTRIBUTE).stringValue())
				.isEqualTo(messageId);
			await().atMost(Duration.ofSeconds(10)).until(() -> done.contains("{\"good\":1}") && depth(queue) == 0);
		}
		finally {
			consumer.stop();
		}
	}

	@Test
	void failedReceivesAreRetriedAfterADoublingPauseThatStartsAgainOnceOneSucceeds() throws Exception {
		String queue = queue(30);
		List<Long> receivedAt = new CopyOnWriteArrayList<>();
		// the real client and queue, with receives 1, 2 and 4 failing as they do while SQS is unreachable
		ExecutionInterceptor outage = new ExecutionInterceptor() {
			@Override
			public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
				if (context.request() instanceof ReceiveMessageRequest) {
					receivedAt.add(System.nanoTime());
					int n = receivedAt.size();
					if (n == 1 || n == 2 || n == 4) {
						throw SdkClientException.create("queue unavailable");
					}
				}
			}
		};
		try (SqsAsyncClient failing = asyncClient(outage)) {
			QueueConsumer consumer = QueueConsumer.of("backoff", failing, queue).pollTimeout(Duration.ofSeconds(1))
				.handler(message -> Verdict.done());
			consumer.start();
			try {
				await().atMost(Duration.ofSeconds(15)).until(() -> receivedAt.size() >= 5);
			}
			finally {
				consumer.stop();
			}
			assertThat(consumer.isRunning()).isFalse();
		}
		assertThat(gap(receivedAt, 1)).isBetween(Duration.ofMillis(450), Duration.ofMillis(1400));
		assertThat(gap(receivedAt, 2)).isBetween(Duration.ofMillis(950), Duration.ofMillis(1900));
		assertThat(gap(receivedAt, 4)).as("the backoff starts again after a good receive")
			.isBetween(Duration.ofMillis(450), Duration.ofMillis(1400));
	}

	private static QueueConsumer.Builder consumer(String queue, String dlq) {
		return QueueConsumer.of("test", async, queue).deadLetters(dlq).pollTimeout(Duration.ofSeconds(1))
			.shutdownWait(Duration.ofSeconds(10));
	}

	private static QueueConsumer.Handler counting(String name, Map<String, AtomicInteger> counts,
			QueueConsumer.Handler handler) {
		return message -> {
			counts.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
			return handler.handle(message);
		};
	}

	/** A new queue with this visibility timeout. */
	private static String queue(int visibilitySeconds) {
		return sqs.createQueue(b -> b.queueName("q-" + UUID.randomUUID())
			.attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilitySeconds))))
			.queueUrl();
	}

	private static int depth(String queue) {
		Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queue)
			.attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
					QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
		return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
				+ Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
	}

	private static List<Message> messages(String queue) {
		return new ArrayList<>(sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)
			.visibilityTimeout(0).messageAttributeNames("All")).messages());
	}

	private static SqsAsyncClient asyncClient(ExecutionInterceptor interceptor) {
		var builder = SqsAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
			.credentialsProvider(credentials());
		if (interceptor != null) {
			builder.overrideConfiguration(o -> o.addExecutionInterceptor(interceptor));
		}
		return builder.build();
	}

	private static StaticCredentialsProvider credentials() {
		return StaticCredentialsProvider.create(AwsBasicCredentials.create("trawl-test", "trawl-test-secret"));
	}

	private static Duration gap(List<Long> at, int call) {
		return Duration.ofNanos(at.get(call) - at.get(call - 1));
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
