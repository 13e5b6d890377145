package io.trawl.worker.analysis.bytes;

import java.nio.ByteBuffer;

import io.trawl.worker.analysis.Deadline;

/**
 * How often each byte value occurs, and the Shannon entropy that follows, for a whole sample or one section of it.
 * <p>
 * Two choices make it fast. Four interleaved counters per value let a run of one value (the zero padding of
 * executables) increment four counters in turn instead of waiting on one. And the counting loop is its own method,
 * called once per 64 KB, so the JIT compiles it after a few samples instead of waiting for a loop inside one call
 * to run long enough.
 */
public final class ByteHistogram {

	private static final int CHUNK = 64 * 1024;

	private final long[] counts = new long[256];
	private final int[] c0 = new int[256], c1 = new int[256], c2 = new int[256], c3 = new int[256];
	private long total;

	/** Adds the bytes from the buffer's position to its limit; the buffer itself is not moved. */
	public ByteHistogram add(ByteBuffer bytes) {
		ByteBuffer view = bytes.duplicate();
		byte[] chunk = new byte[Math.min(CHUNK, Math.max(view.remaining(), 1))];
		while (view.hasRemaining()) {
			Deadline.check();
			int n = Math.min(chunk.length, view.remaining());
			view.get(chunk, 0, n);
			add(chunk, n);
		}
		return this;
	}

	/** Counts the first {@code n} bytes of a chunk of at most 64 KB, so an int counter cannot overflow. */
	private void add(byte[] chunk, int n) {
		int[] h0 = c0, h1 = c1, h2 = c2, h3 = c3;
		int i = 0;
		for (; i + 3 < n; i += 4) {
			h0[chunk[i] & 0xff]++;
			h1[chunk[i + 1] & 0xff]++;
			h2[chunk[i + 2] & 0xff]++;
			h3[chunk[i + 3] & 0xff]++;
		}
		for (; i < n; i++) {
			h0[chunk[i] & 0xff]++;
		}
		for (int b = 0; b < 256; b++) {
			counts[b] += (long) h0[b] + h1[b] + h2[b] + h3[b];
			h0[b] = h1[b] = h2[b] = h3[b] = 0;
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
