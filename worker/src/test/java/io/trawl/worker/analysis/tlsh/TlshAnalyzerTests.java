package io.trawl.worker.analysis.tlsh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * Checks our TLSH against two independent implementations, run at test time:
 * <ul>
 * <li>Trend Micro's C++ library 3.4.4 through its {@code tlsh} command (Debian package {@code tlsh-tools}). Its
 * digest is the 4.x digest without the {@code T1} prefix; it refuses inputs under 256 bytes, where 4.x needs 50.</li>
 * <li>The JavaScript port, npm {@code tlsh@1.0.8}. Its public function refuses inputs under 512 bytes, so the test
 * calls its bucket processor directly, which computes the same digest for any length; the validity rules (50 bytes,
 * more than half of the buckets filled) are then checked by the public function's verdict on longer inputs.</li>
 * </ul>
 */
class TlshAnalyzerTests {

	static final Path NODE_TLSH = findNodeModule("tlsh");

	@TempDir
	static Path dir;

	private static final Map<String, Path> files = new LinkedHashMap<>();

	@BeforeAll
	static void writeInputs() throws IOException {
		for (Path file : TestCorpus.writeTo(dir.resolve("corpus"))) {
			files.put(file.getFileName().toString(), file);
		}
		for (int size : new int[] { 49, 50, 51, 64, 100, 200, 255, 256, 300, 511, 512, 656, 657, 1000, 3199, 3200,
				5000, 65_536, 100_000, 300_000 }) {
			put("random-" + size, TestCorpus.randomBytes(size, size));
		}
		put("random-12m", TestCorpus.randomBytes(12 << 20, 12));
		StringBuilder text = new StringBuilder();
		Random random = new Random(3);
		String[] words = { "sample", "trawl", "analysis", "the", "of", "malware", "batch", "bucket", "hash" };
		while (text.length() < 40_000) {
			text.append(words[random.nextInt(words.length)]).append(random.nextInt(10) == 0 ? ".\n" : " ");
		}
		put("words-40k.txt", text.toString().getBytes(StandardCharsets.US_ASCII));
		put("words-70.txt", text.substring(0, 70).getBytes(StandardCharsets.US_ASCII));
		put("abab-1000", "ab".repeat(500).getBytes(StandardCharsets.US_ASCII));
		put("low-variety-2000", lowVariety(2000));
	}

	private static byte[] lowVariety(int size) {
		byte[] bytes = new byte[size];
		Random random = new Random(1);
		for (int i = 0; i < size; i++) {
			bytes[i] = (byte) (random.nextInt(3) == 0 ? 'x' : 'y');
		}
		return bytes;
	}

	private static void put(String name, byte[] content) throws IOException {
		Path file = dir.resolve(name);
		Files.write(file, content);
		files.put(name, file);
	}

	@Test
	void givenFilesOf256BytesOrMore_thenTheDigestEqualsTheTrendMicroLibrary() throws Exception {
		assertTrue(onPath("tlsh"), "the tlsh command is missing: apt-get install -y tlsh-tools");
		int compared = 0;
		for (Map.Entry<String, Path> file : files.entrySet()) {
			long size = Files.size(file.getValue());
			if (size < 256) {
				continue;
			}
			String reference = trendMicro(file.getValue());
			String ours = tlsh(file.getValue());
			if (reference.isEmpty()) {
				assertThat(ours).as(file.getKey()).isEqualTo(Tlsh.NULL);
			}
			else {
				assertThat(ours).as(file.getKey()).isEqualTo("T1" + reference);
			}
			compared++;
		}
		assertThat(compared).isGreaterThan(25);
	}

	@Test
	void givenAnyFile_thenTheDigestEqualsTheJavaScriptPort() throws Exception {
		assertTrue(NODE_TLSH != null && onPath("node"),
				"node and the npm package tlsh@1.0.8 are missing: add it to package.json and run npm ci");
		Map<String, String[]> reference = javaScript(files.values().stream()
				.filter(f -> size(f) <= 1 << 20).toList());
		int valid = 0;
		for (Map.Entry<String, Path> file : files.entrySet()) {
			String[] expected = reference.get(file.getValue().toString());
			if (expected == null) {
				continue;
			}
			String body = expected[0];
			boolean tooSimple = Boolean.parseBoolean(expected[1]);
			long size = size(file.getValue());
			String ours = tlsh(file.getValue());
			if (size < Tlsh.MIN_LENGTH || body.isEmpty()) {
				assertThat(ours).as(file.getKey()).isEqualTo(Tlsh.NULL);
				continue;
			}
			if (size >= 512) {
				// the port's own verdict applies its validity rules, which equal 4.x's from 512 bytes up
				assertThat(ours.equals(Tlsh.NULL)).as("null for %s", file.getKey()).isEqualTo(tooSimple);
			}
			if (!ours.equals(Tlsh.NULL)) {
				assertThat(ours).as(file.getKey()).isEqualTo("T1" + body);
				valid++;
			}
		}
		assertThat(valid).isGreaterThan(25);
	}

	@Test
	void givenShortOrUniformInput_thenTheValueIsTnullAndNoError() {
		for (byte[] content : new byte[][] { new byte[0], new byte[] { 1 }, TestCorpus.randomBytes(49, 1),
				new byte[100_000], "ab".repeat(5000).getBytes(StandardCharsets.US_ASCII) }) {
			Findings findings = new Findings();
			try {
				new TlshAnalyzer().analyse(Sample.ofBytes("x", content), findings);
			}
			catch (Exception e) {
				throw new AssertionError(e);
			}
			assertThat(findings.get("tlsh")).isEqualTo("TNULL");
			assertThat(findings.errors()).isEmpty();
		}
	}

	@Test
	void givenTheSameBytesInMemoryOrStreamedInBlocks_thenTheDigestIsTheSame() throws Exception {
		Path file = files.get("random-12m");
		try (Sample inMemory = Sample.ofFile("m", file, Long.MAX_VALUE);
				Sample streamed = Sample.ofFile("s", file, 0)) {
			assertThat(digest(streamed)).isEqualTo(digest(inMemory)).startsWith("T1").hasSize(72);
		}
	}

	@Test
	void givenTheSameBytesInOddSizedPieces_thenTheDigestEqualsTheOneShotDigest() {
		byte[] random = TestCorpus.randomBytes(300_000, 7);
		byte[] text = "the trawl sample bucket hash ".repeat(2000).getBytes(StandardCharsets.US_ASCII);
		for (byte[] content : new byte[][] { random, text, Arrays.copyOf(random, 60) }) {
			String oneShot = Tlsh.of(content);
			for (int piece : new int[] { 1, 2, 3, 4, 5, 7, 4095, 65_537 }) {
				Tlsh tlsh = new Tlsh();
				for (int at = 0; at < content.length; at += piece) {
					tlsh.update(content, at, Math.min(piece, content.length - at));
				}
				assertThat(tlsh.digest()).as("pieces of %d of %d bytes", piece, content.length).isEqualTo(oneShot);
			}
			// pieces of varying size, some of them empty, so that pieces start at every offset of the window
			Tlsh tlsh = new Tlsh();
			Random sizes = new Random(content.length);
			for (int at = 0; at < content.length;) {
				int n = Math.min(sizes.nextInt(9), content.length - at);
				tlsh.update(content, at, n);
				at += n;
			}
			assertThat(tlsh.digest()).as("pieces of 0 to 8 of %d bytes", content.length).isEqualTo(oneShot);
		}
		assertThat(Tlsh.of(random)).startsWith("T1");
	}

	@Test
	void givenAnOffsetIntoALargerArray_thenOnlyThoseBytesAreHashed() {
		byte[] content = TestCorpus.randomBytes(10_000, 9);
		byte[] padded = new byte[content.length + 200];
		Arrays.fill(padded, (byte) 0x5a);
		System.arraycopy(content, 0, padded, 100, content.length);
		Tlsh tlsh = new Tlsh();
		tlsh.update(padded, 100, content.length);
		assertThat(tlsh.digest()).isEqualTo(Tlsh.of(content));
	}

	@Test
	void lengthCodeMatchesTheFormulaAtTheRangeBoundaries() {
		assertThat(Tlsh.lengthCode(656)).isEqualTo((int) Math.floor(Math.log(656) / Math.log(1.5)));
		assertThat(Tlsh.lengthCode(657)).isEqualTo((int) Math.floor(Math.log(657) / Math.log(1.3) - 8.72777));
		assertThat(Tlsh.lengthCode(3200)).isEqualTo((int) Math.floor(Math.log(3200) / Math.log(1.1) - 62.5472));
	}

	private static String digest(Sample sample) throws Exception {
		Findings findings = new Findings();
		new TlshAnalyzer().analyse(sample, findings);
		return (String) findings.get("tlsh");
	}

	static String tlsh(Path file) throws Exception {
		try (Sample sample = Sample.ofFile(file.getFileName().toString(), file, Long.MAX_VALUE)) {
			return digest(sample);
		}
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/** The digest {@code tlsh -f} prints, or empty when it declines to hash the file. */
	private static String trendMicro(Path file) throws IOException, InterruptedException {
		Process process = new ProcessBuilder("tlsh", "-f", file.toString()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
		String first = output.split("\\s+")[0];
		return first.matches("[0-9A-F]{70}") ? first : "";
	}

	/**
	 * For each file: the port's digest body (empty if it cannot build one), its "too simple" verdict (which also
	 * refuses anything under 512 bytes), and how many of the 128 buckets are filled (4.x wants more than 64).
	 */
	static Map<String, String[]> javaScript(List<Path> inputs) throws IOException, InterruptedException {
		String script = """
				const fs = require('fs');
				const path = require('path');
				const lib = path.join(process.argv[1], 'lib', 'buckets');
				// sees the bucket counts on their way to the port's result, to count the filled ones at any length
				const processed = require.resolve(path.join(lib, 'processed-buckets.js'));
				const ProcessedBuckets = require(processed);
				let counts = [];
				require.cache[processed].exports = function (checksum, buckets, length, quartiles) {
				  counts = buckets;
				  return new ProcessedBuckets(checksum, buckets, length, quartiles);
				};
				const processBuckets = require(path.join(lib, 'bucket-processor.js'));
				for (const file of process.argv.slice(2)) {
				  const data = fs.readFileSync(file).toString('latin1');
				  let body = '', simple = true, filled = 0;
				  try {
				    const buckets = processBuckets(data);
				    simple = buckets.isProcessedDataTooSimple();
				    body = buckets.buildDigest().toString();
				    filled = counts.slice(0, 128).filter(count => count > 0).length;
				  } catch (e) { body = ''; }
				  console.log(file + '\\t' + body + '\\t' + simple + '\\t' + filled);
				}
				""";
		List<String> command = new ArrayList<>(List.of("node", "-e", script, NODE_TLSH.toString()));
		inputs.forEach(f -> command.add(f.toString()));
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
		Map<String, String[]> result = new HashMap<>();
		for (String line : output.split("\n")) {
			String[] parts = line.split("\t", -1);
			if (parts.length == 4) {
				String body = parts[1].matches("[0-9A-F]{70}") ? parts[1] : "";
				result.put(parts[0], new String[] { body, parts[2], parts[3] });
			}
		}
		return result;
	}

	static boolean onPath(String command) {
		for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
			if (Files.isExecutable(Path.of(entry, command))) {
				return true;
			}
		}
		return false;
	}

	/** {@code node_modules/<name>} in the working directory or one of its parents (the repository root). */
	private static Path findNodeModule(String name) {
		for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
			Path module = at.resolve("node_modules").resolve(name);
			if (Files.isDirectory(module)) {
				return module;
			}
		}
		return null;
	}
}
