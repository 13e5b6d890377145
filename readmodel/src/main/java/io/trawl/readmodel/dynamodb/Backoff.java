package io.trawl.readmodel.dynamodb;

import java.time.Duration;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * Exponential backoff with jitter, for the retries the SDK does not do itself (unprocessed batch items), as a Spring
 * {@link RetryTemplate}.
 */
record Backoff(Duration first, Duration max, int attempts) {

	static final Backoff DEFAULT = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5), 10);

	/** Retries only {@link Unprocessed}: any other error is the SDK's, which has retried it already. */
	RetryTemplate template() {
		return template(attempts - 1L);
	}

	/** The same delays with no limit on attempts, for reads that must finish. */
	RetryTemplate unbounded() {
		return template(Long.MAX_VALUE);
	}

	private RetryTemplate template(long maxRetries) {
		// jitter of half the first delay keeps parallel writers from retrying in step
		return new RetryTemplate(RetryPolicy.builder().includes(Unprocessed.class).maxRetries(maxRetries)
			.delay(first).multiplier(2).maxDelay(max).jitter(first.dividedBy(2)).build());
	}

	/**
	 * What the caller sees once the template stops: the interruption, the sentence {@code unprocessed} (formatted with
	 * the items left and the attempts made) when DynamoDB never caught up, or the SDK's own error as it was thrown.
	 */
	static RuntimeException failure(RetryException e, String unprocessed) {
		if (Thread.currentThread().isInterrupted()) {
			return new IllegalStateException("Interrupted while backing off from DynamoDB", e);
		}
		if (e.getLastException() instanceof Unprocessed left) {
			return new IllegalStateException(unprocessed.formatted(left.count, e.getRetryCount() + 1));
		}
		return e.getLastException() instanceof RuntimeException thrown ? thrown
				: new IllegalStateException(e.getLastException());
	}

	/** What a batch call throws so that the template retries it: DynamoDB left {@code count} items unprocessed. */
	static final class Unprocessed extends RuntimeException {

		final int count;

		Unprocessed(int count) {
			super(count + " items unprocessed", null, false, false);
			this.count = count;
		}
	}
}
