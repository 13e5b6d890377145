package io.trawl.worker.analysis.bytes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.trawl.worker.source.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The entropies taken from a sample's shared {@link BlockHistograms} against a straightforward count of the same bytes
 * (one long counter a value, the textbook formula) and against {@link ByteHistogram} over the range alone (how every
 * entropy was counted before the index): the whole sample and ranges anywhere, at block edges, empty, one byte, one
 * block and the rest, for samples in memory and streamed from their file.
 */
class BlockHistogramsPropertyTests {

	private static final int B = BlockHistograms.BLOCK;

	@TempDir
	Path dir;

	@Property(tries = 200)
	void givenRandomSamplesAndRanges_thenEveryEntropyIsThatOfAStraightforwardCount(@ForAll("sizes") int size,
			@ForAll @IntRange(min = 0, max = 3) int shape, @ForAll long seed) throws Exception {
		Random random = new Random(seed);
		byte[] data = input(size, shape, random);
		try (Sample sample = Sample.ofBytes("random", data)) {
			assertWholeAndRanges(sample, data, random);
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 2, 16_383, 16_384, 16_385, 32_768, 65_535, 65_536, 65_537, 1_048_575, 1_048_576,
			1_048_577, 1_064_961 })
	void givenSizesAtBlockAndBufferEdges_inMemoryAndStreamed_thenEveryEntropyIsThatOfAStraightforwardCount(int size)
			throws Exception {
		Random random = new Random(size);
		byte[] data = input(size, size % 4, random);
		try (Sample sample = Sample.ofBytes("edges", data)) {
			assertWholeAndRanges(sample, data, random);
		}
		Path file = Files.write(dir.resolve("edges-" + size), data);
		// an in-memory limit of 0 streams the file in 1 MB reads, which need not end at a block's edge
		try (Sample streamed = Sample.ofFile("edges", file, 0)) {
			assertThat(streamed.bytes().isEmpty()).isEqualTo(size > 0);
			assertWholeAndRanges(streamed, data, random);
		}
	}

	@Test
	void givenASampleAboveTheBound_thenItHasNoIndexAndItsEntropiesAreStillThoseOfACount() throws Exception {
		int size = (int) BlockHistograms.MAX_SIZE + 1;
		byte[] data = input(size, 3, new Random(7));
		Path file = Files.write(dir.resolve("large"), data);
		try (Sample sample = Sample.ofFile("large", file, 0)) {
			assertThat(BlockHistograms.of(sample)).isNull();
			assertThat(BlockHistograms.whole(sample).entropy()).isEqualTo(straightforward(data, 0, size));
			BoundedReader reader = BoundedReader.of(sample);
			assertThat(reader.entropy(B + 3, 5L * B)).isEqualTo(straightforward(data, B + 3, 6 * B + 3));
		}
	}

	@Test
	void givenAnalyzersAskingAtOnce_thenTheSampleIsCountedOnceAndAllShareIt() throws Exception {
		byte[] data = input(3 * 1024 * 1024 + 5, 0, new Random(3));
		ExecutorService threads = Executors.newFixedThreadPool(8);
		try (Sample sample = Sample.ofBytes("shared", data)) {
			List<Callable<BlockHistograms>> asks = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				asks.add(() -> BlockHistograms.of(sample));
			}
			List<Future<BlockHistograms>> answers = threads.invokeAll(asks);
			BlockHistograms first = answers.get(0).get();
			for (Future<BlockHistograms> answer : answers) {
				assertThat(answer.get()).isSameAs(first);
			}
			assertThat(first.length()).isEqualTo(data.length);
			try (Sample other = Sample.ofBytes("another sample, the same bytes", data)) {
				assertThat(BlockHistograms.of(other)).isNotSameAs(first);
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static void assertWholeAndRanges(Sample sample, byte[] data, Random random) throws Exception {
		int size = data.length;
		assertThat(BlockHistograms.whole(sample).entropy()).as("whole, %d bytes", size)
			.isEqualTo(straightforward(data, 0, size))
			.isEqualTo(alone(data, 0, size));
		BoundedReader shared = BoundedReader.of(sample);
		for (long[] range : ranges(size, random)) {
			int from = (int) range[0];
			int to = (int) (range[0] + range[1]);
			assertThat(shared.entropy(range[0], range[1])).as("[%d, %d) of %d bytes", from, to, size)
				.isEqualTo(straightforward(data, from, to))
				.isEqualTo(alone(data, from, to));
		}
	}

	/** Ranges inside the sample, as a parser clips them: at block edges and one byte either side, and random ones. */
	private static List<long[]> ranges(int size, Random random) {
		List<long[]> ranges = new ArrayList<>();
		ranges.add(new long[] { 0, size });
		ranges.add(new long[] { 0, 0 });
		ranges.add(new long[] { size / 2, 0 });
		List<Integer> edges = new ArrayList<>(List.of(0, 1, size - 1, size));
		for (int edge = B; edge < size && edges.size() < 40; edge += B) {
			edges.addAll(List.of(edge - 1, edge, edge + 1));
		}
		for (int i = 0; i < 8; i++) {
			edges.add(random.nextInt(size + 1));
		}
		edges.removeIf(e -> e < 0 || e > size);
		for (int i = 0; i < 30; i++) {
			int a = edges.get(random.nextInt(edges.size()));
			int b = edges.get(random.nextInt(edges.size()));
			ranges.add(new long[] { Math.min(a, b), Math.abs(a - b) });
		}
		for (int i = 0; i < 10 && size > 0; i++) {
			int from = random.nextInt(size);
			ranges.add(new long[] { from, random.nextInt(size - from + 1) });
		}
		return ranges;
	}

	/** One long counter a value over {@code data[from, to)}, then the textbook entropy, rounded as Trawl rounds it. */
	static double straightforward(byte[] data, int from, int to) {
		long[] counts = new long[256];
		for (int i = from; i < to; i++) {
			counts[data[i] & 0xff]++;
		}
		double entropy = 0;
		for (long count : counts) {
			if (count > 0) {
				double p = (double) count / (to - from);
				entropy -= p * (Math.log(p) / Math.log(2));
			}
		}
		return to == from ? 0.0 : Math.round(entropy * 1e6) / 1e6;
	}

	/** The range counted on its own, as every section's entropy was before the index. */
	private static double alone(byte[] data, int from, int to) {
		ByteBuffer direct = ByteBuffer.allocateDirect(Math.max(data.length, 1)).put(data).flip();
		return new BoundedReader(direct).entropy(from, to - from);
	}

	@Provide
	Arbitrary<Integer> sizes() {
		return Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.integers().between(0, 64)),
				Tuple.of(2, Arbitraries.integers().between(B - 8, B + 8)),
				Tuple.of(3, Arbitraries.integers().between(0, 5 * B)),
				Tuple.of(2, Arbitraries.integers().between(5 * B, 400_000)));
	}

	/** Random bytes, a few distinct values, zeros with a few other bytes (as executables' padding), or runs. */
	static byte[] input(int size, int shape, Random random) {
		byte[] data = new byte[size];
		switch (shape) {
			case 0 -> random.nextBytes(data);
			case 1 -> {
				for (int i = 0; i < size; i++) {
					data[i] = (byte) ("ab\n".charAt(random.nextInt(3)));
				}
			}
			case 2 -> {
				for (int i = 0; i < size; i++) {
					data[i] = (byte) (random.nextInt(16) == 0 ? random.nextInt(256) : 0);
				}
			}
			default -> {
				for (int i = 0; i < size;) {
					byte value = (byte) random.nextInt(256);
					int run = 1 + random.nextInt(5000);
					for (int end = Math.min(size, i + run); i < end; i++) {
						data[i] = value;
					}
				}
			}
		}
		return data;
	}
}
