package io.trawl.jobs.launch;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * How an SQS consumer goes on receiving while SQS (or what its messages need) fails: a failed round is tried again
 * after 500 ms, doubling up to 30 s, for as long as the consumer runs; a good round starts the backoff again.
 */
public final class ReceiveBackoff {

	private ReceiveBackoff() {
	}

	/**
	 * Runs {@code round} again and again until the consumer stops or its thread is interrupted.
	 * @param log the consumer's logger, which reports each failed round
	 * @param what what is received and from where, for that report
	 * @param running whether the consumer still runs; once it does not, a failure ends the rounds
	 */
	public static void repeat(Logger log, String what, BooleanSupplier running, Runnable round) {
		RetryTemplate rounds = new RetryTemplate(RetryPolicy.builder().includes(RuntimeException.class)
			.predicate(e -> running.getAsBoolean()).maxRetries(Long.MAX_VALUE).delay(Duration.ofMillis(500))
			.multiplier(2).maxDelay(Duration.ofSeconds(30)).build());
		while (running.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
			try {
				// a fresh execution per round, so the backoff starts again at 500 ms after a good one
				rounds.execute(() -> {
					try {
						round.run();
					}
					catch (RuntimeException e) {
						if (running.getAsBoolean()) {
							log.warn("Receiving {} failed ({}); trying again after a backoff (500 ms, doubling up to "
									+ "30 s)", what, e.getMessage());
						}
						throw e;
					}
					return null;
				});
			}
			catch (RetryException e) {
				// stopped while backing off, or interrupted: the loop asks whether to go on
			}
		}
	}
}
