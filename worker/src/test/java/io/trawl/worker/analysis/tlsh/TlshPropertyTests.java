package io.trawl.worker.analysis.tlsh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Generated inputs, random and structured, against the references of {@link TlshAnalyzerTests}: Trend Micro's
 * {@code tlsh -r} over a folder of them from 256 bytes up, and the JavaScript port's bucket processor below that,
 * where the sizes crowd around the 50-byte minimum (there the port's bucket counts decide validity: its own verdict
 * refuses anything under 512 bytes). Each try writes a batch, so each reference starts once a try.
 */
class TlshPropertyTests {

	@Property(tries = 20)
	void givenGeneratedInputs_thenTheDigestsEqualTheReferences(@ForAll("batches") List<byte[]> inputs)
			throws Exception {
		assertTrue(TlshAnalyzerTests.onPath("tlsh"), "the tlsh command is missing: apt-get install -y tlsh-tools");
		assertTrue(TlshAnalyzerTests.NODE_TLSH != null, "the npm package tlsh@1.0.8 is missing: run npm ci");
		Path dir = Files.createTempDirectory("tlsh-property");
		try {
			Map<Path, byte[]> files = new HashMap<>();
			for (int i = 0; i < inputs.size(); i++) {
				Path file = dir.resolve("input-" + i);
				Files.write(file, inputs.get(i));
				files.put(file, inputs.get(i));
			}
			Map<String, String> trendMicro = trendMicro(dir);
			Map<String, String[]> javaScript = TlshAnalyzerTests.javaScript(
					files.keySet().stream().filter(file -> files.get(file).length < 256).toList());
			for (Map.Entry<Path, byte[]> file : files.entrySet()) {
				int size = file.getValue().length;
				String ours = TlshAnalyzerTests.tlsh(file.getKey());
				assertThat(Tlsh.of(file.getValue())).isEqualTo(ours);
				String expected;
				if (size >= 256) {
					String body = trendMicro.getOrDefault(file.getKey().toString(), "");
					expected = body.isEmpty() ? Tlsh.NULL : "T1" + body;
				}
				else {
					String[] port = javaScript.get(file.getKey().toString());
					boolean filled = Integer.parseInt(port[2]) > 64;
					expected = size < 50 || port[0].isEmpty() || !filled ? Tlsh.NULL : "T1" + port[0];
				}
				assertThat(ours).as("%d bytes", size).isEqualTo(expected);
			}
		}
		finally {
			try (var entries = Files.list(dir)) {
				for (Path file : entries.toList()) {
					Files.delete(file);
				}
			}
			Files.delete(dir);
		}
	}

	/** {@code tlsh -r} over a folder: the digest of each file it hashes, by path. */
	private static Map<String, String> trendMicro(Path dir) throws IOException, InterruptedException {
		Process process = new ProcessBuilder("tlsh", "-r", dir.toString()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
		Map<String, String> digests = new HashMap<>();
		for (String line : output.split("\n")) {
			String[] parts = line.split("\t");
			if (parts.length == 2 && parts[0].matches("[0-9A-F]{70}")) {
				digests.put(parts[1].trim(), parts[0]);
			}
		}
		return digests;
	}

	@Provide
	Arbitrary<List<byte[]>> batches() {
		return input().list().ofMinSize(10).ofMaxSize(30);
	}

	/**
	 * Sizes near the 50-byte minimum, the CLI's 256, the length code's steps at 656 and 3199, and up to 300 KB; as
	 * random bytes, a few distinct values, text, a repeated pattern, or zeros with a few other bytes.
	 */
	private static Arbitrary<byte[]> input() {
		Arbitrary<Integer> near = Arbitraries.of(50, 256, 656, 3199)
			.flatMap(at -> Arbitraries.integers().between(at - 6, at + 6));
		Arbitrary<Integer> any = Arbitraries.integers().between(0, 300_000);
		Arbitrary<Integer> size = Arbitraries.frequencyOf(Tuple.of(3, near), Tuple.of(1, any));
		return Combinators.combine(size, Arbitraries.integers().between(0, 4), Arbitraries.longs())
			.as(TlshPropertyTests::input);
	}

	private static byte[] input(int size, int shape, long seed) {
		Random random = new Random(seed);
		byte[] data = new byte[size];
		int values = 2 + random.nextInt(40);
		int period = 1 + random.nextInt(300);
		byte[] pattern = new byte[period];
		random.nextBytes(pattern);
		String text = "the trawl sample bucket hash of malware, batch 42\n";
		for (int i = 0; i < size; i++) {
			data[i] = switch (shape) {
				case 0 -> (byte) random.nextInt(256);
				case 1 -> (byte) random.nextInt(values);
				case 2 -> (byte) text.charAt((i + random.nextInt(2)) % text.length());
				case 3 -> pattern[i % period];
				default -> random.nextInt(64) == 0 ? (byte) random.nextInt(256) : 0;
			};
		}
		return data;
	}
}
