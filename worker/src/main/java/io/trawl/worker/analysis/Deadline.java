package io.trawl.worker.analysis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The time each analyzer has for a sample. {@link SampleAnalysis} opens one around every analyzer call; analyzers call
 * {@link #check()} between chunks of work, and an analyzer over its time stops with {@link AnalysisTimeoutException},
 * which becomes an error on that sample. Deadlines nest: an archive's members are analysed inside the archive
 * analyzer's time, so the outer deadline bounds the whole tree.
 */
public final class Deadline {

	private static final ThreadLocal<Deque<long[]>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

	private Deadline() {
	}

	/** Throws when this thread's current analyzer, or one it runs inside, is past its time. */
	public static void check() {
		Deque<long[]> open = OPEN.get();
		if (open.isEmpty()) {
			return;
		}
		long now = System.nanoTime();
		for (long[] deadline : open) {
			if (now - deadline[0] >= 0) {
				throw new AnalysisTimeoutException(Duration.ofNanos(deadline[1]));
			}
		}
	}

	static void open(Duration timeout) {
		OPEN.get().push(new long[] { System.nanoTime() + timeout.toNanos(), timeout.toNanos() });
	}

	/** Moves this thread's current deadline later by {@code nanos}, time it spent waiting for other analyzers. */
	static void postpone(long nanos) {
		long[] current = OPEN.get().peek();
		if (current != null) {
			current[0] += nanos;
		}
	}

	static void close() {
		OPEN.get().pop();
	}

	/** An analyzer ran out of time on one sample. */
	public static final class AnalysisTimeoutException extends RuntimeException {
		AnalysisTimeoutException(Duration timeout) {
			super("timed out after " + timeout.toMillis() + " ms");
		}
	}
}
