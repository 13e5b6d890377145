package io.trawl.worker.analysis.tlsh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Tlsh} against two references on random inputs of many lengths, fed in random pieces: the textbook algorithm
 * (four Pearson look-ups per triplet, the window's bytes read from the input, the bucket counts compared whole, all
 * 256), and for the digest, the same input fed whole in one call. Pieces of every size cross the
 * window's first four bytes, the loop's 4 KB pieces and the 64 KB chunks of {@link Tlsh#update(ByteBuffer)}.
 */
class TlshEquivalencePropertyTests {

	@Property(tries = 300)
	void givenRandomInputsFedInRandomPieces_thenBucketsChecksumAndDigestEqualTheReferences(
			@ForAll("sizes") int size, @ForAll @IntRange(min = 0, max = 3) int shape, @ForAll long seed) {
		Random random = new Random(seed);
		byte[] data = input(size, shape, random);
		Tlsh pieces = new Tlsh();
		for (int at = 0, n; at < size; at += n) {
			n = Math.min(size - at, random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(70_000));
			pieces.update(data, at, n);
		}
		Tlsh direct = new Tlsh();
		ByteBuffer buffer = ByteBuffer.allocateDirect(size);
		buffer.put(data).flip();
		direct.update(buffer);

		long[] buckets = new long[256];
		int checksum = textbook(data, buckets);
		assertThat(pieces.buckets()).as("buckets, %d bytes in pieces", size).isEqualTo(buckets);
		assertThat(pieces.checksum()).as("checksum, %d bytes in pieces", size).isEqualTo(checksum);
		assertThat(direct.buckets()).as("buckets, %d bytes in a direct buffer", size).isEqualTo(buckets);
		Tlsh whole = new Tlsh();
		whole.update(data, 0, size);
		String expected = whole.digest();
		assertThat(pieces.digest()).isEqualTo(expected);
		assertThat(direct.digest()).isEqualTo(expected);
	}

	@Provide
	Arbitrary<Integer> sizes() {
		return Arbitraries.frequencyOf(
				net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 64)),
				net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 10_000)),
				net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(4090, 4110)),
				net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(10_000, 300_000)));
	}

	/** Random bytes, a few distinct values, zeros with a few other bytes, or runs of one value. */
	private static byte[] input(int size, int shape, Random random) {
		byte[] data = new byte[size];
		int values = 2 + random.nextInt(30);
		for (int i = 0; i < size; i++) {
			data[i] = switch (shape) {
				case 0 -> (byte) random.nextInt(256);
				case 1 -> (byte) random.nextInt(values);
				case 2 -> random.nextInt(50) == 0 ? (byte) random.nextInt(256) : 0;
				default -> i > 0 && random.nextInt(20) != 0 ? data[i - 1] : (byte) random.nextInt(256);
			};
		}
		return data;
	}

	/** The algorithm as published: every byte from the fifth on, six salted triplets and the checksum. */
	private static int textbook(byte[] data, long[] buckets) {
		int checksum = 0;
		for (int i = 4; i < data.length; i++) {
			int c = data[i] & 0xff, p1 = data[i - 1] & 0xff, p2 = data[i - 2] & 0xff, p3 = data[i - 3] & 0xff,
					p4 = data[i - 4] & 0xff;
			checksum = pearson(0, c, p1, checksum);
			buckets[pearson(2, c, p1, p2)]++;
			buckets[pearson(3, c, p1, p3)]++;
			buckets[pearson(5, c, p2, p3)]++;
			buckets[pearson(7, c, p2, p4)]++;
			buckets[pearson(11, c, p1, p4)]++;
			buckets[pearson(13, c, p3, p4)]++;
		}
		return checksum;
	}

	private static int pearson(int salt, int a, int b, int c) {
		int[] t = TlshLoopBench.T;
		return t[t[t[t[salt] ^ a] ^ b] ^ c];
	}
}
