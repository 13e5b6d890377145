package io.trawl.worker.analysis.bytes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import io.trawl.worker.analysis.Deadline;
import io.trawl.worker.source.Sample;

/**
 * The byte histograms of a sample's consecutive 16 KB blocks, counted in one pass by whichever analyzer asks first
 * and then shared by every analyzer of that sample: the whole sample's histogram is the sum of all blocks, a
 * section's the sum of the blocks it covers plus its two partial edges counted directly. The counts are those of a
 * plain count of the same bytes, so every entropy is exactly what counting them again would give.
 * <p>
 * Only samples up to {@link #MAX_SIZE} are indexed (the index takes 1/16 of the sample's size); larger ones are
 * counted range by range, as before. Thread-safe: the analyzers of a large sample run side by side, and one that
 * asks while another counts waits for that count.
 */
public final class BlockHistograms {

	static final int BLOCK = 16 * 1024;

	static final long MAX_SIZE = 64L << 20;

	/** Keyed by the sample itself, so an index lives no longer than its sample is referenced. */
	private static final Map<Sample, Shared> SHARED = Collections.synchronizedMap(new WeakHashMap<>());

	private final int[] counts; // block i's at [256 * i, 256 * i + 256)
	private final long length;

	private BlockHistograms(int[] counts, long length) {
		this.counts = counts;
		this.length = length;
	}

	/** This sample's block histograms, counted now if no analyzer has yet; null for a sample above the size bound. */
	public static BlockHistograms of(Sample sample) throws IOException {
		if (sample.size() > MAX_SIZE) {
			return null;
		}
		return SHARED.computeIfAbsent(sample, s -> new Shared()).get(sample);
	}

	/** The whole sample's histogram: from its shared block histograms, or one count of a sample too large for them. */
	public static ByteHistogram whole(Sample sample) throws IOException {
		BlockHistograms blocks = of(sample);
		ByteHistogram histogram = new ByteHistogram();
		if (blocks == null) {
			sample.forEachBlock(histogram::add);
			return histogram;
		}
		for (int i = 0; i < blocks.counts.length / 256; i++) {
			histogram.add(blocks.counts, 256 * i, blocks.blockLength(i));
		}
		return histogram;
	}

	/** Counts a sample's blocks in one pass over its bytes, unshared. */
	static BlockHistograms count(Sample sample) throws IOException {
		Counting counting = new Counting(sample.size());
		sample.forEachBlock(counting::add);
		return counting.done();
	}

	/** True when {@code [start, start + length)} holds at least one whole block, so the index can save counting. */
	static boolean holdsABlock(long start, long length) {
		long firstBoundary = blocksUpTo(start) * BLOCK;
		return firstBoundary + BLOCK <= start + length;
	}

	/** The number of bytes counted. */
	long length() {
		return length;
	}

	/**
	 * The histogram of {@code [start, start + length)}: the blocks inside it from the index, the rest counted from
	 * {@code bytes} (the sample's bytes from offset 0, {@link SampleBytes#of}), which must hold the range; added to
	 * {@code histogram}.
	 */
	ByteHistogram range(ByteBuffer bytes, long start, long length, ByteHistogram histogram) {
		long end = start + length;
		int first = (int) Math.min(blocksUpTo(start), Integer.MAX_VALUE);
		int blocks = counts.length / 256;
		// block i covers [i * BLOCK, min((i + 1) * BLOCK, this.length)); it is used when that lies inside the range
		int last = end >= this.length ? blocks : (int) Math.min(end / BLOCK, blocks);
		if (first >= last) {
			return histogram.add(slice(bytes, start, end));
		}
		long from = (long) first * BLOCK;
		long to = Math.min((long) last * BLOCK, this.length);
		if (from > start) {
			histogram.add(slice(bytes, start, from));
		}
		for (int i = first; i < last; i++) {
			histogram.add(counts, 256 * i, blockLength(i));
		}
		if (to < end) {
			histogram.add(slice(bytes, to, end));
		}
		return histogram;
	}

	/** How many blocks it takes to hold {@code bytes} bytes (at least 0). */
	private static long blocksUpTo(long bytes) {
		return (bytes + BLOCK - 1) / BLOCK;
	}

	private int blockLength(int i) {
		return (int) (Math.min((long) (i + 1) * BLOCK, length) - (long) i * BLOCK);
	}

	private static ByteBuffer slice(ByteBuffer bytes, long from, long to) {
		return bytes.duplicate().limit((int) to).position((int) from);
	}

	/** One sample's index, counted once: a count that failed (the analyzer's time ran out) is left to the next asker. */
	private static final class Shared {

		private BlockHistograms blocks;

		synchronized BlockHistograms get(Sample sample) throws IOException {
			if (blocks == null) {
				blocks = count(sample);
			}
			return blocks;
		}
	}

	/** Counts block by block, whatever the sizes of the buffers the sample's bytes come in. */
	private static final class Counting {

		private final Tally tally = new Tally();
		private final byte[] block;
		private int[] counts;
		private int blocks;
		private int filled;
		private long length;

		Counting(long expected) {
			counts = new int[256 * (int) Math.max(1, blocksUpTo(expected))];
			block = new byte[(int) Math.max(1, Math.min(BLOCK, expected))];
		}

		void add(ByteBuffer bytes) {
			ByteBuffer view = bytes.duplicate();
			while (view.hasRemaining()) {
				int n = Math.min(Math.min(block.length, BLOCK - filled), view.remaining());
				view.get(block, 0, n);
				tally.count(block, 0, n);
				filled += n;
				length += n;
				if (filled == BLOCK) {
					close();
					Deadline.check();
				}
			}
		}

		BlockHistograms done() {
			if (filled > 0) {
				close();
			}
			return new BlockHistograms(blocks * 256 == counts.length ? counts : Arrays.copyOf(counts, blocks * 256),
					length);
		}

		private void close() {
			if (256 * (blocks + 1) > counts.length) { // the file grew while it was read
				counts = Arrays.copyOf(counts, 2 * counts.length);
			}
			tally.drainInto(counts, 256 * blocks);
			blocks++;
			filled = 0;
		}
	}
}
