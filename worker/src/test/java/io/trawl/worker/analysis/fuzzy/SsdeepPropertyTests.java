package io.trawl.worker.analysis.fuzzy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The Java {@link Ssdeep} against libfuzzy itself (through JNA, {@link LibFuzzy}): generated inputs of many sizes
 * and shapes, and real executables, each hashed with the size announced (as {@code fuzzy_hash_buf} and
 * {@code ssdeep -b} do) and as a stream of unknown length fed in pieces of random sizes.
 */
class SsdeepPropertyTests {

	@Property(tries = 600)
	void givenRandomBytes_whenHashed_thenEqualsLibfuzzy(@ForAll("inputs") byte[] data,
			@ForAll @IntRange(min = 1, max = 200_000) int piece, @ForAll long seed) {
		String expected = LibFuzzy.hash(data);

		assertThat(Ssdeep.of(data)).as("size announced, %d bytes", data.length).isEqualTo(expected);
		assertThat(inPieces(new Ssdeep(), data, piece, seed)).as("unknown size, %d bytes", data.length)
			.isEqualTo(expected).isEqualTo(LibFuzzy.hashStreamed(data, piece));
	}

	/**
	 * Seven bytes whose rolling sum plus one is 3 * 2^30: the byte that ends them ends a piece for every block size
	 * at once. In streaming mode (size unknown) that starts all 31 block sizes, and libfuzzy's extra hash for the
	 * 31st; with the size known only those it can use. Inserted at random places in random inputs.
	 */
	@Property(tries = 150)
	void givenAWindowThatEndsAPieceForEveryBlockSize_whenHashed_thenEqualsLibfuzzy(
			@ForAll @IntRange(min = 0, max = 600_000) int size, @ForAll @IntRange(min = 1, max = 4) int windows,
			@ForAll @IntRange(min = 1, max = 100_000) int piece, @ForAll long seed) {
		Random random = new Random(seed);
		byte[] data = new byte[size + windows * EVERY_BLOCK_SIZE.length];
		random.nextBytes(data);
		for (int w = 0; w < windows; w++) {
			int at = random.nextInt(data.length - EVERY_BLOCK_SIZE.length + 1);
			System.arraycopy(EVERY_BLOCK_SIZE, 0, data, at, EVERY_BLOCK_SIZE.length);
		}

		assertThat(Ssdeep.of(data)).as("size announced").isEqualTo(LibFuzzy.hash(data));
		assertThat(inPieces(new Ssdeep(), data, piece, seed)).as("unknown size")
			.isEqualTo(LibFuzzy.hashStreamed(data, piece));
	}

	/** Rolling sum 0xBFFFFFFF: found by a search, oldest byte first. */
	static final byte[] EVERY_BLOCK_SIZE = { 2, 31, 24, (byte) 255, 24, 115, (byte) 254 };

	@Example
	void givenRealExecutables_whenHashed_thenEqualsLibfuzzy() throws IOException {
		List<Path> files = realFiles();
		assertThat(files).hasSizeGreaterThan(50);
		long bytes = 0;
		for (Path file : files) {
			byte[] data = Files.readAllBytes(file);
			bytes += data.length;
			String expected = LibFuzzy.hash(data);
			assertThat(Ssdeep.of(ByteBuffer.wrap(data))).as("%s", file).isEqualTo(expected);
			assertThat(inPieces(new Ssdeep(data.length), data, 4096, data.length)).as("%s in pieces", file)
				.isEqualTo(expected);
			assertThat(inPieces(new Ssdeep(), data, 1 << 20, 7)).as("%s, unknown size", file)
				.isEqualTo(LibFuzzy.hashFile(file.toString()));
		}
		assertThat(bytes).isGreaterThan(1_000_000);
	}

	@Example
	void givenEverySizeUpTo300_whenHashed_thenEqualsLibfuzzy() {
		Random random = new Random(13);
		for (int size = 0; size <= 300; size++) {
			byte[] data = new byte[size];
			random.nextBytes(data);
			assertThat(Ssdeep.of(data)).as("%d random bytes", size).isEqualTo(LibFuzzy.hash(data));
			byte[] text = Stream.generate(() -> "ab c").limit(size).reduce("", String::concat)
				.substring(0, size).getBytes(StandardCharsets.US_ASCII);
			assertThat(Ssdeep.of(text)).as("%d bytes of text", size).isEqualTo(LibFuzzy.hash(text));
		}
	}

	@Example
	void givenTheLargestDigestInputs_whenTheSizeIsWrong_thenItFails() {
		Ssdeep ssdeep = new Ssdeep(10);
		ssdeep.update(new byte[9], 0, 9);
		org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(ssdeep::digest);
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new Ssdeep(Ssdeep.MAX_INPUT + 1));
	}

	/** Sizes from empty to a few MB, most near the block-size boundaries 3 * 2^k * 64, and several shapes. */
	@Provide
	Arbitrary<byte[]> inputs() {
		Arbitrary<Integer> tiny = Arbitraries.integers().between(0, 10);
		Arbitrary<Integer> boundary = Combinators
			.combine(Arbitraries.integers().between(0, 14), Arbitraries.integers().between(-3, 3),
					Arbitraries.of(1, 64, 32))
			.as((k, delta, digits) -> Math.max(0, (3 << k) * digits + delta));
		Arbitrary<Integer> any = Arbitraries.integers().between(0, 22).flatMap(bits -> Arbitraries.integers()
			.between(0, (1 << bits) - 1).map(low -> (1 << bits) + low - 1 + (bits == 0 ? 1 : 0)));
		Arbitrary<Integer> size = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, tiny),
				net.jqwik.api.Tuple.of(3, boundary), net.jqwik.api.Tuple.of(5, any));
		Arbitrary<Integer> shape = Arbitraries.integers().between(0, 5);
		return Combinators.combine(size, shape, Arbitraries.longs()).as(SsdeepPropertyTests::input);
	}

	/** Random bytes, a few distinct bytes, a short repeated pattern, runs of one byte, text, or zeros. */
	static byte[] input(int size, int shape, long seed) {
		Random random = new Random(seed);
		byte[] data = new byte[Math.min(size, 4 << 20)];
		switch (shape) {
			case 0 -> random.nextBytes(data);
			case 1 -> {
				byte[] alphabet = new byte[1 + random.nextInt(4)];
				random.nextBytes(alphabet);
				for (int i = 0; i < data.length; i++) {
					data[i] = alphabet[random.nextInt(alphabet.length)];
				}
			}
			case 2 -> {
				byte[] pattern = new byte[1 + random.nextInt(40)];
				random.nextBytes(pattern);
				for (int i = 0; i < data.length; i++) {
					data[i] = pattern[i % pattern.length];
				}
			}
			case 3 -> {
				int i = 0;
				while (i < data.length) {
					int run = Math.min(data.length - i, 1 + random.nextInt(3000));
					java.util.Arrays.fill(data, i, i + run, (byte) random.nextInt(256));
					i += run;
				}
			}
			case 4 -> {
				String[] words = { "the ", "quick ", "brown ", "fox ", "jumps\n", "over ", "lazy ", "dog. ", "\t" };
				StringBuilder text = new StringBuilder(data.length + 8);
				while (text.length() < data.length) {
					text.append(words[random.nextInt(words.length)]);
				}
				System.arraycopy(text.toString().getBytes(StandardCharsets.US_ASCII), 0, data, 0, data.length);
			}
			default -> {
				// zeros with a few random bytes: the rolling sum is mostly zero at the end
				for (int k = 0; k < 1 + data.length / 5000 && data.length > 0; k++) {
					data[random.nextInt(data.length)] = (byte) random.nextInt(256);
				}
			}
		}
		return data;
	}

	/** Feeds {@code data} in pieces of random sizes up to {@code piece}, some through a direct buffer. */
	static String inPieces(Ssdeep ssdeep, byte[] data, int piece, long seed) {
		Random random = new Random(seed);
		int at = 0;
		while (at < data.length) {
			int n = Math.min(data.length - at, 1 + random.nextInt(piece));
			if (random.nextBoolean()) {
				ssdeep.update(data, at, n);
			}
			else {
				ByteBuffer direct = ByteBuffer.allocateDirect(n);
				direct.put(data, at, n).flip();
				ssdeep.update(direct);
			}
			at += n;
		}
		return ssdeep.digest();
	}

	/** Executables and libraries of this machine, small to a few MB. */
	static List<Path> realFiles() throws IOException {
		List<Path> files = new ArrayList<>();
		for (String dir : List.of("/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib/jvm")) {
			if (!Files.isDirectory(Path.of(dir))) {
				continue;
			}
			try (Stream<Path> walk = Files.walk(Path.of(dir), 1)) {
				walk.filter(Files::isRegularFile).filter(Files::isReadable).sorted().forEach(files::add);
			}
		}
		List<Path> chosen = new ArrayList<>();
		for (int i = 0; i < files.size(); i += Math.max(1, files.size() / 300)) {
			Path file = files.get(i);
			if (Files.size(file) <= (8 << 20)) {
				chosen.add(file);
			}
		}
		return chosen;
	}
}
