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

	static void count(ByteBuffer block, long[] counts) {
		ByteBuffer view = block.duplicate();
		byte[] chunk = new byte[8192];
		while (view.hasRemaining()) {
			if ((view.position() & 0xFFFFF) == 0) {
				Deadline.check(); // every MiB
			}
			int n = Math.min(chunk.length, view.remaining());
			view.get(chunk, 0, n);
			for (int i = 0; i < n; i++) {
				counts[chunk[i] & 0xff]++;
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
