package io.trawl.worker.analysis.content;

import java.nio.ByteBuffer;

import io.trawl.worker.analysis.Deadline;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/** Shannon entropy of the whole sample, in bits per byte (0 to 8). */
public final class EntropyAnalyzer implements Analyzer {

	@Override
	public String name() {
		return "entropy";
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		long[] counts = new long[256];
		sample.forEachBlock(block -> count(block, counts));
		findings.put("entropy", entropy(counts, sample.size()));
	}

	/**
	 * Adds the block's byte histogram to {@code counts}. Four interleaved histograms let runs of one byte value (the
	 * zero padding of executables) increment four counters in turn instead of waiting on one.
	 */
	static void count(ByteBuffer block, long[] counts) {
		ByteBuffer view = block.duplicate();
		byte[] chunk = new byte[64 * 1024];
		int[] h0 = new int[256], h1 = new int[256], h2 = new int[256], h3 = new int[256];
		while (view.hasRemaining()) {
			Deadline.check();
			int n = Math.min(chunk.length, view.remaining());
			view.get(chunk, 0, n);
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
			// an int counter holds one chunk's counts at most, so fold them into the longs after each
			for (int b = 0; b < 256; b++) {
				counts[b] += (long) h0[b] + h1[b] + h2[b] + h3[b];
				h0[b] = h1[b] = h2[b] = h3[b] = 0;
			}
		}
	}

	/** Entropy of a byte histogram, rounded to 6 decimals so results compare stably. */
	public static double entropy(long[] counts, long total) {
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
