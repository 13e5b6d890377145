package io.trawl.readmodel.dynamodb;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter, for the retries the SDK does not do itself (unprocessed batch items). */
record Backoff(Duration first, Duration max, int attempts) {

	static final Backoff DEFAULT = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5), 10);

	/** Sleeps before retry number {@code retry} (1 for the first retry). */
	void pause(int retry) {
		long ceiling = Math.min(max.toMillis(), first.toMillis() << Math.min(retry - 1, 20));
		try {
			Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while backing off from DynamoDB", e);
		}
	}
}
