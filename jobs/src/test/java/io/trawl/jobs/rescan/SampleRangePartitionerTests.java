package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import io.trawl.worker.source.Sample;
import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSource;

/**
 * The partitioner lists the source once and keeps a bounded number of locations, whatever the source's size; the
 * ranges it cuts from them are contiguous, cover the listing, count exactly, and hold about their planned shares of
 * the estimated cost (bytes, and a fixed cost a sample), falling from the first range to the last.
 */
class SampleRangePartitionerTests {

	/** A store's shape: mostly small files, a long tail of large ones (a Pareto tail), keys in sorted order. */
	private record SyntheticStore(int keys, long seed) implements SampleSource {

		@Override
		public String describe() {
			return "synthetic:" + keys;
		}

		@Override
		public Stream<SampleRef> list(String afterLocation) {
			SplittableRandom random = new SplittableRandom(seed);
			return IntStream.range(0, keys)
				.mapToObj(i -> new SampleRef(String.format("samples/%02d/%010d.bin", i % 97 == 0 ? 0 : 1, i),
						size(random)))
				.sorted(Comparator.comparing(SampleRef::location))
				.filter(ref -> afterLocation == null || ref.location().compareTo(afterLocation) > 0);
		}

		private static long size(SplittableRandom random) {
			double u = random.nextDouble();
			return u < 0.01 ? 0 : (long) (2048 / Math.pow(1 - u, 1 / 1.3)); // empty files too
		}

		@Override
		public Sample open(SampleRef ref) throws IOException {
			throw new UnsupportedOperationException();
		}
	}

	/** Lazily generated, already sorted keys: no list of them is ever built. */
	private record StreamedStore(int keys, long seed) implements SampleSource {

		@Override
		public String describe() {
			return "streamed:" + keys;
		}

		@Override
		public Stream<SampleRef> list(String afterLocation) {
			SplittableRandom random = new SplittableRandom(seed);
			return IntStream.range(0, keys).mapToObj(i -> new SampleRef(key(i), SyntheticStore.size(random)))
				.filter(ref -> afterLocation == null || ref.location().compareTo(afterLocation) > 0);
		}

		private static String key(int i) {
			String digits = Integer.toString(i);
			return "s/" + "0".repeat(10 - digits.length()) + digits;
		}

		@Override
		public Sample open(SampleRef ref) {
			throw new UnsupportedOperationException();
		}
	}

	@Test
	void threeMillionKeysKeepAtMostTheBoundAndCutRangesAtTheirShares() {
		int keys = 3_000_000;
		int bound = 4096;
		StreamedStore store = new StreamedStore(keys, 15);

		// given a listing of millions, fed to the boundaries as the partitioner does
		SampleRangePartitioner.Boundaries boundaries = new SampleRangePartitioner.Boundaries(bound);
		int[] most = { 0 };
		try (Stream<SampleRef> listing = store.list(null)) {
			listing.forEach(ref -> {
				boundaries.add(ref);
				most[0] = Math.max(most[0], boundaries.size());
			});
		}
		assertThat(most[0]).as("locations kept at any time").isLessThanOrEqualTo(bound + 1);
		assertThat(boundaries.close().size()).as("kept at the end").isBetween(bound / 4, bound + 1);

		// when the partitioner cuts 16 ranges
		ProgressMeter.Progress progress = new ProgressMeter().of(1);
		Map<String, ExecutionContext> partitions = new SampleRangePartitioner(store, progress, bound).partition(16);

		// then they cover the listing, count exactly and hold their shares of the cost
		assertThat(progress.totalSamples.get()).isEqualTo(keys);
		Walk walk = assertContiguousAndExact(store, partitions, 16);
		assertThat(progress.totalBytes.get()).isEqualTo(walk.bytes().stream().mapToLong(Long::longValue).sum());
		// a range misses its share by at most a gap between kept locations (a fraction of a percent here) and a file
		assertShares(walk, 16, 0.02);
	}

	@Test
	void aSmallListingIsSplitAtEveryLocationAsBefore() {
		SyntheticStore store = new SyntheticStore(1000, 7);
		Map<String, ExecutionContext> partitions = new SampleRangePartitioner(store, new ProgressMeter().of(1))
			.partition(8);
		Walk walk = assertContiguousAndExact(store, partitions, 8);
		// every location is a possible end: a range misses its share by less than one file
		assertShares(walk, 8, 0);
	}

	@Test
	void theSharesFallEvenlyFromTheFirstRangeToTheLast() {
		double[] ends = SampleRangePartitioner.ends(8);
		assertThat(ends[7]).isEqualTo(1.0);
		double first = ends[0];
		double last = ends[7] - ends[6];
		assertThat(first / last).isCloseTo(SampleRangePartitioner.FIRST_TO_LAST, within(1e-9));
		for (int i = 1; i < 8; i++) {
			double share = ends[i] - ends[i - 1];
			double before = i == 1 ? first : ends[i - 1] - ends[i - 2];
			assertThat(share).as("share of range %d", i).isLessThan(before);
		}
		assertThat(SampleRangePartitioner.ends(1)).containsExactly(1.0);
	}

	@Test
	void manySmallFilesWeighMoreThanTheirBytes() {
		// half of the bytes in 1,000 files of 1 KB, half in one file of 1 MB: cut in two, the small files' range is
		// the heavier, so the large file is not alone in the second range
		SampleSource store = new SampleSource() {
			@Override
			public String describe() {
				return "small-and-one-large";
			}

			@Override
			public Stream<SampleRef> list(String afterLocation) {
				return Stream.concat(IntStream.range(0, 1000).mapToObj(i -> new SampleRef(String.format("a/%04d", i), 1024)),
						Stream.of(new SampleRef("b/large", 1024 * 1024)))
					.filter(ref -> afterLocation == null || ref.location().compareTo(afterLocation) > 0);
			}

			@Override
			public Sample open(SampleRef ref) {
				throw new UnsupportedOperationException();
			}
		};
		Map<String, ExecutionContext> partitions = new SampleRangePartitioner(store, new ProgressMeter().of(1))
			.partition(2);
		Walk walk = assertContiguousAndExact(store, partitions, 2);
		assertThat(walk.counts().get(1)).as("locations in the second range").isGreaterThan(1);
		assertShares(walk, 2, 0);
	}

	@Test
	void asManyLocationsAsRangesGiveOneLocationEach() {
		// the first range's share is three quarters of two equal files: it still leaves the second its own range
		SyntheticStore store = new SyntheticStore(2, 3);
		Map<String, ExecutionContext> partitions = new SampleRangePartitioner(store, new ProgressMeter().of(1))
			.partition(2);
		assertContiguousAndExact(store, partitions, 2);
		assertThat(partitions.values()).allSatisfy(p -> assertThat(p.getLong(SampleRangePartitioner.COUNT)).isOne());
		// and ten files in eight ranges: every range has one or two
		Map<String, ExecutionContext> ten = new SampleRangePartitioner(new SyntheticStore(10, 5),
				new ProgressMeter().of(1)).partition(8);
		assertContiguousAndExact(new SyntheticStore(10, 5), ten, 8);
	}

	@Test
	void moreRangesThanLocationsGiveOneLocationEach() {
		SyntheticStore store = new SyntheticStore(5, 3);
		Map<String, ExecutionContext> partitions = new SampleRangePartitioner(store, new ProgressMeter().of(1))
			.partition(8);
		assertContiguousAndExact(store, partitions, 5);
		assertThat(partitions.values()).allSatisfy(p -> assertThat(p.getLong(SampleRangePartitioner.COUNT)).isOne());
	}

	@Test
	void anEmptySourceHasNoRanges() {
		assertThat(new SampleRangePartitioner(new SyntheticStore(0, 1), new ProgressMeter().of(1)).partition(4))
			.isEmpty();
	}

	/** Each range's bytes and count, and the largest file, from one walk of the listing. */
	private record Walk(List<Long> bytes, List<Long> costs, List<Long> counts, long largestCost) {
	}

	/**
	 * Asserts each range's cost is its share of the whole, give or take {@code gap} of an equal share (the kept
	 * locations' spacing) and one location's cost.
	 */
	private static void assertShares(Walk walk, int grid, double gap) {
		long total = walk.costs().stream().mapToLong(Long::longValue).sum();
		double[] ends = SampleRangePartitioner.ends(grid);
		double slack = total / grid * gap + walk.largestCost();
		for (int i = 0; i < grid; i++) {
			double share = total * (ends[i] - (i == 0 ? 0 : ends[i - 1]));
			assertThat((double) walk.costs().get(i)).as("cost of range %d of %s", i, walk.costs())
				.isBetween(share - slack, share + slack);
		}
	}

	/**
	 * Asserts the ranges are partition0..n-1, each {@code (after, last]} starting where the previous ended, the last
	 * ending at the listing's end, with exact counts; returns each range's bytes, from one walk of the listing.
	 */
	private static Walk assertContiguousAndExact(SampleSource store, Map<String, ExecutionContext> partitions,
			int expected) {
		assertThat(partitions).hasSize(expected);
		List<String> lasts = new ArrayList<>();
		for (int i = 0; i < expected; i++) {
			ExecutionContext range = partitions.get("partition" + i);
			assertThat(range).as("partition%d", i).isNotNull();
			assertThat(range.containsKey(SampleRangePartitioner.AFTER) ? range.getString(SampleRangePartitioner.AFTER)
					: null).as("partition%d starts where the one before ends", i)
				.isEqualTo(i == 0 ? null : lasts.get(i - 1));
			lasts.add(range.getString(SampleRangePartitioner.LAST));
		}
		long[] counts = new long[expected];
		long[] bytes = new long[expected];
		long[] costs = new long[expected];
		long[] largest = { 0 };
		int[] at = { 0 };
		try (Stream<SampleRef> refs = store.list(null)) {
			refs.forEach(ref -> {
				while (at[0] < expected && ref.location().compareTo(lasts.get(at[0])) > 0) {
					at[0]++;
				}
				assertThat(at[0]).as("%s is in no range", ref.location()).isLessThan(expected);
				counts[at[0]]++;
				bytes[at[0]] += Math.max(ref.size(), 1);
				costs[at[0]] += SampleRangePartitioner.cost(ref.size());
				largest[0] = Math.max(largest[0], SampleRangePartitioner.cost(ref.size()));
			});
		}
		for (int i = 0; i < expected; i++) {
			assertThat(partitions.get("partition" + i).getLong(SampleRangePartitioner.COUNT))
				.as("count of partition%d", i).isEqualTo(counts[i]).isPositive();
		}
		return new Walk(LongStream.of(bytes).boxed().toList(), LongStream.of(costs).boxed().toList(),
				LongStream.of(counts).boxed().toList(), largest[0]);
	}
}
