package io.trawl.worker.analysis.strings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * The strings the analyzer finds are the ones GNU {@code strings} finds (binutils, the reference tool): the same
 * printable ASCII runs ({@code -e s}) and UTF-16LE runs ({@code -e l}) of at least the minimum length, with the same
 * counts, over generated inputs that aim at the byte loop's word skips, chunk boundaries and parities. The indicators
 * found in them are checked against hand-written expectations in {@link StringsIndicatorTests}.
 */
class StringsAgainstGnuStringsTests {

	@TempDir
	static Path dir;

	static final String[] PIECES = { "http://a.example.com/x", "hxxps://10.0.0.1:8080/p?q=1", "user@mail.evil.ru",
			"x@y.z", "bad.top", "not.a.tld", "lib.so.6", "GLIBC_2.2.5", "1.2.3.4", "256.1.1.1", "300.2.3.4.5", "fe80::1",
			"1:2:3:4:5:6:7:8", "12:30:45", "a::b::c", "HKLM\\Software\\Run\\x", "HKEY_USERS\\S-1-5\\y",
			"C:\\Windows\\x.exe", "%APPDATA%\\evil\\a.dll", "\\\\server\\share\\f.txt", "/tmp/.x/y", "/lib64/ld.so",
			"/usr/bin/env", "/libx/a", "/etc", "ftp://files.example.org/a.zip", "wss://h.example.io/s",
			"name@host.co_uk", "host.com-x", "host.com_x", "EXAMPLE.COM", "a.Internal", "x.ORG.", "::ffff:1.2.3.4",
			"mail@a.b.c.d.e.f.g.h.i.com", " ", "\t", "abcdef", "abc", "." };

	@Test
	void givenGeneratedContent_thenTheStringsAreGnuStrings() throws Exception {
		Random random = new Random(7);
		List<byte[]> inputs = new ArrayList<>(List.of(new byte[0], new byte[1], "abcdefg".getBytes(StandardCharsets.US_ASCII),
				TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8),
				TestCorpus.powershellScript().getBytes(StandardCharsets.UTF_8), TestCorpus.utf16Strings(),
				TestCorpus.pe32(), TestCorpus.elf64(), TestCorpus.randomBytes(3 << 20, 11)));
		for (int i = 0; i < 60; i++) {
			inputs.add(mixed(random, random.nextInt(i < 40 ? 4096 : 300_000)));
		}
		// runs across the 64 KiB chunk boundaries, at both parities and at the very end
		for (int length : new int[] { 65_535, 65_536, 65_537, 65_538, 131_072, 131_073 }) {
			for (int runStart : new int[] { 65_520, 65_521, 65_530, 65_531 }) {
				inputs.add(withRuns(length, runStart));
			}
		}
		// the skip-ahead: short runs, zero pairs and breakers at every offset, wide runs at both parities
		for (int shift = 0; shift < 14; shift++) {
			inputs.add(skipPatterns(random, shift));
		}
		// a run longer than maxStringLength across a chunk boundary, ASCII and wide, at both parities
		for (int runStart : new int[] { 60_000, 60_001 }) {
			inputs.add(longRuns(runStart));
		}
		// log lines: indicators among words, split by spaces and tabs, well past the cap, many repeated
		inputs.add(logLines(random, 3000));
		for (byte[] input : inputs) {
			assertLikeGnuStrings(input, 6);
			assertLikeGnuStrings(input, 4);
		}
	}

	/**
	 * The byte loop reads eight bytes at a time: runs of every length around the minimum, ASCII and UTF-16LE, start
	 * at every offset in a word and at both parities, with tabs, zeros and bad bytes at every offset, for minimum
	 * lengths below, at and above the eight bytes of a word; and runs around the 64 KiB chunk boundary and at the end.
	 */
	@Test
	void givenRunsAtEveryOffsetOfAWord_thenTheStringsAreGnuStrings() throws Exception {
		Random random = new Random(17);
		for (int min : new int[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12 }) {
			for (int shift = 0; shift < 8; shift++) {
				assertLikeGnuStrings(wordRuns(random, shift, min, 3000 + shift), min);
			}
			for (int delta = -9; delta <= 9; delta += 3) {
				byte[] input = wordRuns(random, 0, min, 65_536 + delta);
				for (int start = 65_520 + (delta & 7); start < 65_540 && start + min + 4 <= input.length; start += 5) {
					Arrays.fill(input, start, start + min + 4, (byte) 'q'); // an ASCII run across the boundary
				}
				assertLikeGnuStrings(input, min);
			}
		}
		for (int start = 65_524; start < 65_540; start++) {
			byte[] input = new byte[65_570];
			byte[] wide = "wide\\across".getBytes(StandardCharsets.UTF_16LE);
			System.arraycopy(wide, 0, input, start, wide.length);
			assertLikeGnuStrings(input, 6);
			assertLikeGnuStrings(Arrays.copyOf(input, start + wide.length - start % 3), 6);
		}
	}

	/** Runs of random lengths around {@code min} after {@code shift} bad bytes, between separators, up to the end. */
	private static byte[] wordRuns(Random random, int shift, int min, int size) {
		byte[][] separators = { { 0 }, { (byte) 0x90 }, { '\n' }, { 0, 0 }, { 0, (byte) 0xff }, { 0x7f }, { 0, 0, 0 },
				{ (byte) 0x80, 0 } };
		byte[] out = new byte[size];
		Arrays.fill(out, 0, shift, (byte) 0xcc);
		int at = shift;
		while (at < size) {
			int length = Math.max(0, min - 2 + random.nextInt(12));
			boolean wide = random.nextInt(3) == 0;
			for (int k = 0; k < length && at < size; k++) {
				int kind = random.nextInt(16);
				out[at++] = (byte) (kind == 0 ? '\t' : kind == 1 ? '~' : kind == 2 ? ' ' : 'a' + random.nextInt(26));
				if (wide && at < size) {
					out[at++] = 0;
				}
			}
			if (random.nextInt(8) == 0) {
				at += random.nextInt(9); // zeros
			}
			else if (random.nextInt(6) != 0) {
				byte[] separator = separators[random.nextInt(separators.length)];
				for (int k = 0; k < separator.length && at < size; k++) {
					out[at++] = separator[k];
				}
			}
		}
		return out;
	}

	@Test
	void givenTheSystemsExecutables_thenTheStringsAreGnuStrings() throws Exception {
		List<Path> files = new ArrayList<>();
		for (String dir : new String[] { "/usr/bin", "/usr/lib/x86_64-linux-gnu" }) {
			Path folder = Path.of(dir);
			if (Files.isDirectory(folder)) {
				try (Stream<Path> listing = Files.list(folder)) {
					listing.filter(Files::isRegularFile).sorted().limit(40).forEach(files::add);
				}
			}
		}
		for (Path file : files) {
			byte[] content = readUpTo(file, 4 << 20);
			if (content != null) {
				assertLikeGnuStrings(content, 6);
			}
		}
	}

	private static byte[] readUpTo(Path file, int limit) {
		try {
			return Files.size(file) <= limit ? Files.readAllBytes(file) : null;
		}
		catch (IOException e) {
			return null; // unreadable: nothing to compare
		}
	}

	/**
	 * Every run GNU strings prints, ASCII and UTF-16LE, is one the analyzer counted, and the other way round: the
	 * counts of each kind match, and the distinct strings match (no cap on them here, nor on their length).
	 */
	private static void assertLikeGnuStrings(byte[] content, int min) throws Exception {
		Findings findings = new Findings();
		new StringsAnalyzer(new StringsAnalyzer.Settings(min, Integer.MAX_VALUE, Integer.MAX_VALUE, 1,
				Integer.MAX_VALUE)).analyse(Sample.ofBytes("sample", content), findings);
		Map<?, ?> strings = (Map<?, ?>) findings.get("strings");
		Path file = Files.write(dir.resolve("sample.bin"), content);
		List<String> ascii = gnuStrings(file, min, "s");
		List<String> wide = gnuStrings(file, min, "l");
		Set<String> distinct = new HashSet<>(ascii);
		distinct.addAll(wide);
		String input = content.length + " bytes, minimum " + min;
		assertThat(strings.get("asciiCount")).as("ASCII runs of %s", input).isEqualTo((long) ascii.size());
		assertThat(strings.get("utf16Count")).as("UTF-16LE runs of %s", input).isEqualTo((long) wide.size());
		assertThat(new HashSet<>((List<?>) strings.get("sample"))).as("distinct strings of %s", input)
			.isEqualTo(distinct);
	}

	/** What {@code strings -a -n min -e encoding} prints, one string a line. */
	private static List<String> gnuStrings(Path file, int min, String encoding) throws Exception {
		Process process = new ProcessBuilder("strings", "-a", "-n", String.valueOf(min), "-e", encoding,
				file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		byte[] out = process.getInputStream().readAllBytes();
		assertThat(process.waitFor()).as("strings exit code").isZero();
		String text = new String(out, StandardCharsets.ISO_8859_1);
		if (text.isEmpty()) {
			return List.of();
		}
		// a string holds no newline (not printable), so each line is one, and the output ends with one
		return List.of(text.substring(0, text.length() - 1).split("\n", -1));
	}

	/** Pieces of indicators and near misses, as ASCII or UTF-16LE, between random and zero bytes. */
	private static byte[] mixed(Random random, int size) {
		byte[] out = new byte[size];
		int at = 0;
		while (at < size) {
			int kind = random.nextInt(6);
			byte[] piece;
			if (kind <= 2) {
				StringBuilder text = new StringBuilder();
				for (int n = random.nextInt(4); n >= 0; n--) {
					text.append(PIECES[random.nextInt(PIECES.length)]).append(random.nextBoolean() ? " " : "");
				}
				piece = text.toString().getBytes(kind == 2 ? StandardCharsets.UTF_16LE : StandardCharsets.US_ASCII);
			}
			else if (kind == 3) {
				piece = new byte[random.nextInt(8)];
			}
			else {
				piece = new byte[random.nextInt(32)];
				random.nextBytes(piece);
			}
			int n = Math.min(piece.length, size - at);
			System.arraycopy(piece, 0, out, at, n);
			at += Math.max(n, 1);
		}
		return out;
	}

	private static byte[] skipPatterns(Random random, int shift) {
		byte[] out = new byte[20_000 + shift];
		String[] texts = { "abcde", "abcdef", "abcdefg", "a.b.c.d.com", "x\\hk", "/usr/x/y" };
		int at = shift;
		while (at < out.length - 40) {
			switch (random.nextInt(5)) {
				case 0 -> at += 1 + random.nextInt(9); // zeros
				case 1 -> out[at++] = (byte) (0x80 + random.nextInt(0x80)); // a breaker
				case 2 -> out[at++] = (byte) (0x21 + random.nextInt(0x5e)); // one printable byte
				default -> {
					String text = texts[random.nextInt(texts.length)];
					byte[] piece = text.getBytes(random.nextBoolean() ? StandardCharsets.UTF_16LE : StandardCharsets.US_ASCII);
					System.arraycopy(piece, 0, out, at, piece.length);
					at += piece.length;
				}
			}
		}
		return out;
	}

	private static byte[] longRuns(int runStart) {
		byte[] out = new byte[140_000];
		for (int i = 0; i < 6000; i++) {
			out[runStart + i] = (byte) ('a' + i % 26);
		}
		for (int i = 0; i < 5000; i++) {
			out[runStart + 7000 + 2 * i] = (byte) ('A' + i % 26);
		}
		for (int i = 0; i < 5000; i++) {
			out[out.length - 5000 + i] = (byte) ('0' + i % 10); // a long run at the very end
		}
		return out;
	}

	private static byte[] logLines(Random random, int lines) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < lines; i++) {
			text.append(i % 3 == 0 ? "" : i).append(random.nextBoolean() ? '\t' : ' ');
			for (int n = random.nextInt(5); n >= 0; n--) {
				text.append(PIECES[random.nextInt(PIECES.length)]).append(random.nextBoolean() ? " " : "\t");
			}
			text.append('\n');
		}
		return text.toString().getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] withRuns(int length, int runStart) {
		byte[] out = new byte[length];
		byte[] ascii = "http://boundary.example.com/run ".getBytes(StandardCharsets.US_ASCII);
		byte[] wide = "C:\\wide\\boundary.exe".getBytes(StandardCharsets.UTF_16LE);
		System.arraycopy(ascii, 0, out, runStart, Math.min(ascii.length, length - runStart));
		int wideAt = runStart + ascii.length + 3;
		if (wideAt < length) {
			System.arraycopy(wide, 0, out, wideAt, Math.min(wide.length, length - wideAt));
		}
		// a string running into the last byte
		byte[] tail = "trailing-string".getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(tail, 0, out, length - tail.length, tail.length);
		return out;
	}
}
