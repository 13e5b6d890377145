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
 * Splits the source's sorted locations into contiguous ranges of about equal bytes, one per partition. A range is
 * {@code (after, last]}: it survives a restart unchanged, and works the same for folder paths and S3 keys.
 * <p>
 * It reads the listing once and keeps only some of its locations as possible range ends ({@link Boundaries}): at most
 * {@code bound} of them, whatever the source's size, so the manager's memory does not grow with the store. The ranges
 * are then cut at the kept locations nearest to equal shares; a range misses its share by at most one gap between kept
 * locations, a small fraction of it while {@code bound} is large against the grid size. Each range's count is exact.
 */
class SampleRangePartitioner implements Partitioner {

	static final String AFTER = "range.after";
	static final String LAST = "range.last";
	static final String COUNT = "range.count";
	/** About 10 MB of kept locations at most: ranges within a fraction of a percent of equal for any grid size. */
	static final int DEFAULT_BOUND = 1 << 16;

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
		Map<String, ExecutionContext> partitions = new HashMap<>();
		Boundary previous = null;
		int next = 0;
		for (int i = 1; i <= grid && next < kept.size(); i++) {
			// the first kept location at or past this range's share of the bytes; the last range ends at the end
			long share = i == grid ? Long.MAX_VALUE : (long) ((double) boundaries.bytes * i / grid);
			while (next < kept.size() - 1 && kept.get(next).bytes < share) {
				next++;
			}
			Boundary end = kept.get(next++);
			ExecutionContext range = new ExecutionContext();
			if (previous != null) {
				range.putString(AFTER, previous.location);
			}
			range.putString(LAST, end.location);
			range.putLong(COUNT, end.count - (previous == null ? 0 : previous.count));
			partitions.put("partition" + partitions.size(), range);
			previous = end;
		}
		return partitions;
	}

	/** A kept location, with the bytes and the number of locations listed up to and including it. */
	record Boundary(String location, long bytes, long count) {
	}

	/**
	 * The locations kept while listing: one whenever at least {@code step} bytes were listed since the last kept one.
	 * When more than {@code limit} are kept, the step doubles (at least) and the kept ones are thinned to that step,
	 * which leaves at most half of the limit; so memory stays bounded and the kept locations stay evenly spread by
	 * bytes. The listing's last location is always kept.
	 */
	static final class Boundaries {

		private final int limit;
		private final List<Boundary> kept = new ArrayList<>();
		private long step = 1;
		private long bytes;
		private long count;
		private long keptBytes;
		private String last;

		Boundaries(int limit) {
			this.limit = limit;
		}

		void add(SampleRef ref) {
			bytes += Math.max(ref.size(), 1);
			count++;
			last = ref.location();
			if (bytes - keptBytes >= step) {
				kept.add(new Boundary(last, bytes, count));
				keptBytes = bytes;
				if (kept.size() > limit) {
					thin();
				}
			}
		}

		/** Halves the kept locations at least: the new step leaves at most limit / 2 gaps of the bytes so far. */
		private void thin() {
			step = Math.max(step * 2, 2 * bytes / limit + 1);
			List<Boundary> thinned = new ArrayList<>(limit / 2 + 1);
			long from = 0;
			for (Boundary boundary : kept) {
				if (boundary.bytes - from >= step) {
					thinned.add(boundary);
					from = boundary.bytes;
				}
			}
			kept.clear();
			kept.addAll(thinned);
			keptBytes = from;
		}

		/** The kept locations, the listing's last one included; empty for an empty listing. */
		List<Boundary> close() {
			if (last != null && (kept.isEmpty() || kept.get(kept.size() - 1).count != count)) {
				kept.add(new Boundary(last, bytes, count));
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
