package io.trawl.worker.analysis.bytes;

/**
 * The counting loop every byte histogram shares. Four interleaved counters per value let a run of one value (the zero
 * padding of executables) increment four counters in turn instead of waiting on one; the loop is its own method,
 * called once per block, so the JIT compiles it after a few samples instead of waiting for a loop inside one call to
 * run long enough. Not thread-safe.
 */
final class Tally {

	private final int[] c0 = new int[256], c1 = new int[256], c2 = new int[256], c3 = new int[256];

	/** Counts {@code chunk[from, to)}; at most 2 GiB between two drains, so an int counter cannot overflow. */
	void count(byte[] chunk, int from, int to) {
		int[] h0 = c0, h1 = c1, h2 = c2, h3 = c3;
		int i = from;
		for (; i + 3 < to; i += 4) {
			h0[chunk[i] & 0xff]++;
			h1[chunk[i + 1] & 0xff]++;
			h2[chunk[i + 2] & 0xff]++;
			h3[chunk[i + 3] & 0xff]++;
		}
		for (; i < to; i++) {
			h0[chunk[i] & 0xff]++;
		}
	}

	/** Adds what was counted since the last drain to {@code counts} and starts again from zero. */
	void drainInto(long[] counts) {
		int[] h0 = c0, h1 = c1, h2 = c2, h3 = c3;
		for (int b = 0; b < 256; b++) {
			counts[b] += (long) h0[b] + h1[b] + h2[b] + h3[b];
			h0[b] = h1[b] = h2[b] = h3[b] = 0;
		}
	}

	/** Writes what was counted since the last drain to {@code counts[at, at + 256)} and starts again from zero. */
	void drainInto(int[] counts, int at) {
		int[] h0 = c0, h1 = c1, h2 = c2, h3 = c3;
		for (int b = 0; b < 256; b++) {
			counts[at + b] = h0[b] + h1[b] + h2[b] + h3[b];
			h0[b] = h1[b] = h2[b] = h3[b] = 0;
		}
	}
}
