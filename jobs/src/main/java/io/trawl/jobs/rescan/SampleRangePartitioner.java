package io.trawl.jobs.rescan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSource;

/**
 * Splits the source's sorted locations into contiguous ranges, one per partition. A range is {@code (after, last]}: it
 * survives a restart unchanged, and works the same for folder paths and S3 keys.
 * <p>
 * A range's size is its estimated cost: its bytes, plus {@link #SAMPLE_COST} for each location, since a small sample
 * costs far more than its bytes. The ranges get decreasing shares of the cost, the first {@link #FIRST_TO_LAST} times
 * the last ({@link #ends}), and run in that order ({@link InPartitionOrder}): the large ranges first, so that the last
 * ones to finish are small, and a partition running alone at the end of the step (its estimate missed) is short.
 * <p>
 * It reads the listing once and keeps only some of its locations as possible range ends ({@link Boundaries}): at most
 * {@code bound} of them, whatever the source's size, so the manager's memory does not grow with the store. The ranges
 * are then cut at the first kept location at or past the end of each share, leaving one for each range after it (so a
 * few large files still get a range each); a range misses its share by at most one gap between kept locations, a small
 * fraction of it while {@code bound} is large against the grid size. Each range's count is exact.
 */
class SampleRangePartitioner implements Partitioner {

	static final String AFTER = "range.after";
	static final String LAST = "range.last";
	static final String COUNT = "range.count";
	/** About 10 MB of kept locations at most: ranges within a fraction of a percent of their shares for any grid size. */
	static final int DEFAULT_BOUND = 1 << 16;
	/**
	 * What one sample costs beyond its bytes, in bytes' worth: 320 KB. A 1.8 GB rescan of a store-shaped corpus spent
	 * about 23.5 CPU s per GB and 7.4 per 1,000 samples on its analysing threads and native hosts (bench/README.md,
	 * session 13), so a sample costs about what 0.32 MB of bytes do.
	 */
	static final long SAMPLE_COST = 320 * 1024;
	/** The first range's share of the cost against the last one's; the shares between fall evenly. */
	static final double FIRST_TO_LAST = 3;

	private final SampleSource source;
	private final ProgressMeter.Progress progress;
	private final int bound;

	SampleRangePartitioner(SampleSource source, ProgressMeter.Progress progress) {
		this(source, progress, DEFAULT_BOUND);
	}

	/** @param bound the most locations it keeps while listing (raised to 16 per partition when below that) */
	SampleRangePartitioner(SampleSource source, ProgressMeter.Progress progress, int bound) {
		this.source = source;
		this.progress = progress;
		this.bound = bound;
	}

	@Override
	public Map<String, ExecutionContext> partition(int gridSize) {
		int grid = Math.max(1, gridSize);
		Boundaries boundaries = new Boundaries(Math.max(bound, 16 * grid));
		try (var listing = source.list(null)) {
			listing.forEach(boundaries::add);
		}
		progress.totalSamples.set(boundaries.count);
		progress.totalBytes.set(boundaries.bytes);
		List<Boundary> kept = boundaries.close();
		double[] ends = ends(grid);
		Map<String, ExecutionContext> partitions = new HashMap<>();
		Boundary previous = null;
		int next = 0;
		for (int i = 0; i < grid && next < kept.size(); i++) {
			// the first kept location at or past where this range's share ends, leaving one for each range after it
			// (so a few large files still get a range each); the last range ends at the end
			long end = i == grid - 1 ? Long.MAX_VALUE : (long) (boundaries.cost * ends[i]);
			int latest = i == grid - 1 ? kept.size() - 1 : Math.min(kept.size() - 1, kept.size() - (grid - i));
			while (next < latest && kept.get(next).cost < end) {
				next++;
			}
			Boundary last = kept.get(next++);
			ExecutionContext range = new ExecutionContext();
			if (previous != null) {
				range.putString(AFTER, previous.location);
			}
			range.putString(LAST, last.location);
			range.putLong(COUNT, last.count - (previous == null ? 0 : previous.count));
			partitions.put("partition" + partitions.size(), range);
			previous = last;
		}
		return partitions;
	}

	/**
	 * Where each of {@code grid} ranges ends, as a fraction of the whole cost: the shares fall evenly from the first
	 * range's to the last one's, {@link #FIRST_TO_LAST} times smaller; the last range ends at 1.
	 */
	static double[] ends(int grid) {
		double[] ends = new double[grid];
		double total = 0;
		for (int i = 0; i < grid; i++) {
			total += share(i, grid);
			ends[i] = total;
		}
		for (int i = 0; i < grid; i++) {
			ends[i] /= total;
		}
		ends[grid - 1] = 1;
		return ends;
	}

	private static double share(int i, int grid) {
		return grid == 1 ? 1 : FIRST_TO_LAST - (FIRST_TO_LAST - 1) * i / (grid - 1);
	}

	/** A location's estimated cost: its bytes (at least one) and a sample's own. */
	static long cost(long size) {
		return Math.max(size, 1) + SAMPLE_COST;
	}

	/** A kept location, with the cost and the number of locations listed up to and including it. */
	record Boundary(String location, long cost, long count) {
	}

	/**
	 * The locations kept while listing: one whenever at least {@code step} of cost was listed since the last kept one.
	 * When more than {@code limit} are kept, the step doubles (at least) and the kept ones are thinned to that step,
	 * which leaves at most half of the limit; so memory stays bounded and the kept locations stay evenly spread by
	 * cost. The listing's last location is always kept.
	 */
	static final class Boundaries {

		private final int limit;
		private final List<Boundary> kept = new ArrayList<>();
		private long step = 1;
		private long bytes;
		private long cost;
		private long count;
		private long keptCost;
		private String last;

		Boundaries(int limit) {
			this.limit = limit;
		}

		void add(SampleRef ref) {
			bytes += Math.max(ref.size(), 1);
			cost += cost(ref.size());
			count++;
			last = ref.location();
			if (cost - keptCost >= step) {
				kept.add(new Boundary(last, cost, count));
				keptCost = cost;
				if (kept.size() > limit) {
					thin();
				}
			}
		}

		/** Halves the kept locations at least: the new step leaves at most limit / 2 gaps of the cost so far. */
		private void thin() {
			step = Math.max(step * 2, 2 * cost / limit + 1);
			List<Boundary> thinned = new ArrayList<>(limit / 2 + 1);
			long from = 0;
			for (Boundary boundary : kept) {
				if (boundary.cost - from >= step) {
					thinned.add(boundary);
					from = boundary.cost;
				}
			}
			kept.clear();
			kept.addAll(thinned);
			keptCost = from;
		}

		/** The kept locations, the listing's last one included; empty for an empty listing. */
		List<Boundary> close() {
			if (last != null && (kept.isEmpty() || kept.get(kept.size() - 1).count != count)) {
				kept.add(new Boundary(last, cost, count));
			}
			return kept;
		}

		int size() {
			return kept.size();
		}

		long step() {
			return step;
		}
	}
}
