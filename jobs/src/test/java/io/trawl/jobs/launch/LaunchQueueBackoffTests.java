package io.trawl.jobs.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

import io.trawl.jobs.aws.AwsProperties;
import io.trawl.jobs.rescan.RescanLauncher;

/** The launch queue's receive backoff: 500 ms doubling, starting again after a good receive, until stopped. */
class LaunchQueueBackoffTests {

	@Test
	void failedReceivesAreRetriedAfterADoublingPauseThatStartsAgainOnceOneSucceeds() throws Exception {
		List<Long> receivedAt = new CopyOnWriteArrayList<>();
		SqsClient sqs = mock(SqsClient.class);
		when(sqs.receiveMessage(any(Consumer.class))).thenAnswer(call -> {
			receivedAt.add(System.nanoTime());
			// fail, fail, succeed, fail, then succeed from then on
			return switch (receivedAt.size()) {
				case 1, 2, 4 -> throw SdkClientException.create("queue unavailable");
				default -> ReceiveMessageResponse.builder().build();
			};
		});
		RescanLauncher launcher = mock(RescanLauncher.class);
		when(launcher.freeSlots()).thenReturn(1);
		LaunchQueueListener listener = new LaunchQueueListener(sqs, launcher,
				new AwsProperties.Launch("http://sqs.local/launch", null, Duration.ZERO, true));

		listener.start();
		try {
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (receivedAt.size() < 5 && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
		}
		finally {
			listener.stop();
		}

		assertThat(receivedAt).hasSizeGreaterThanOrEqualTo(5);
		assertThat(gap(receivedAt, 1)).isBetween(Duration.ofMillis(450), Duration.ofMillis(1400));
		assertThat(gap(receivedAt, 2)).isBetween(Duration.ofMillis(950), Duration.ofMillis(1900));
		assertThat(gap(receivedAt, 4)).as("the backoff starts again after a good receive")
			.isBetween(Duration.ofMillis(450), Duration.ofMillis(1400));
		assertThat(listener.isRunning()).isFalse();
	}

	private static Duration gap(List<Long> at, int call) {
		return Duration.ofNanos(at.get(call) - at.get(call - 1));
	}
}
