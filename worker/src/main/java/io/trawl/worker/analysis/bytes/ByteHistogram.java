package io.trawl.worker.analysis.bytes;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.trawl.worker.analysis.Deadline;

/**
 * How often each byte value occurs, and the Shannon entropy that follows, for a whole sample or one section of it.
 * The counting loop is {@link Tally}'s; a sample's block histograms ({@link BlockHistograms}) add whole blocks at
 * once. Either way the counts are those of a plain loop over the same bytes, so the entropy is too. A parser that
 * takes many sections' entropies reuses one histogram ({@link #clear}), and with it its counters and its buffer.
 */
public final class ByteHistogram {

	private static final int CHUNK = 64 * 1024;

	private final long[] counts = new long[256];
	private Tally tally;
	private byte[] chunk;
	private long total;

	/** Adds the bytes from the buffer's position to its limit; the buffer itself is not moved. */
	public ByteHistogram add(ByteBuffer bytes) {
		ByteBuffer view = bytes.duplicate();
		if (!view.hasRemaining()) {
			return this;
		}
		if (tally == null) {
			tally = new Tally();
		}
		if (chunk == null || chunk.length < Math.min(CHUNK, view.remaining())) {
			chunk = new byte[Math.min(CHUNK, Math.max(view.remaining(), chunk == null ? 0 : 2 * chunk.length))];
		}
		byte[] chunk = this.chunk;
		while (view.hasRemaining()) {
			Deadline.check();
			int n = Math.min(chunk.length, view.remaining());
			view.get(chunk, 0, n);
			tally.count(chunk, 0, n);
			tally.drainInto(counts);
			total += n;
		}
		return this;
	}

	/** Starts again from no bytes, keeping the counters and the buffer. */
	ByteHistogram clear() {
		Arrays.fill(counts, 0);
		total = 0;
		return this;
	}

	/** Adds one block's counts, {@code blockCounts[at, at + 256)}, which sum to {@code n} bytes. */
	void add(int[] blockCounts, int at, int n) {
		long[] into = counts;
		for (int b = 0; b < 256; b++) {
			into[b] += blockCounts[at + b];
		}
		total += n;
	}

	/** Entropy in bits per byte (0 to 8), rounded to 6 decimals so results compare stably; 0 for no bytes. */
	public double entropy() {
		if (total == 0) {
			return 0.0;
		}
		double entropy = 0;
		for (long count : counts) {
			if (count > 0) {
				double p = (double) count / total;
				entropy -= p * (Math.log(p) / Math.log(2));
			}
		}
		return Math.round(entropy * 1e6) / 1e6;
	}
}
