package io.trawl.worker.analysis.fuzzy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

class SsdeepAnalyzerTests {

	private final SsdeepAnalyzer analyzer = new SsdeepAnalyzer();

	@TempDir
	Path dir;

	@Test
	void givenTheCorpusAndSizedFiles_whenHashed_thenEveryHashEqualsTheSsdeepCli() throws Exception {
		List<Path> files = new ArrayList<>(TestCorpus.writeTo(dir.resolve("corpus")));
		Path sized = Files.createDirectories(dir.resolve("sized"));
		Files.write(sized.resolve("empty-file"), new byte[0]);
		files.add(sized.resolve("empty-file"));
		// around the block-size boundaries 3 * 2^k * 64, and larger than the streamed path's 1 MB blocks
		for (int size : new int[] { 1, 2, 6, 7, 8, 63, 64, 191, 192, 193, 4095, 4096, 10_000, 100_000, 196_607,
				196_608, 196_609, 3_000_000, 3_145_728, 3_145_729, 7_000_001 }) {
			Path file = sized.resolve("random-" + size);
			Files.write(file, TestCorpus.randomBytes(size, size));
			files.add(file);
		}
		Path text = sized.resolve("repetitive.txt");
		Files.writeString(text, "the quick brown fox jumps over the lazy dog\n".repeat(5000));
		files.add(text);
		// real executables and libraries, copied so that the CLI prints bare names
		for (Path real : List.of(Path.of("/usr/bin/ssdeep"), Path.of("/bin/ls"), Path.of("/usr/bin/bash"),
				Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6"))) {
			if (Files.isRegularFile(real)) {
				files.add(Files.copy(real, sized.resolve("real-" + real.getFileName())));
			}
		}

		Map<String, String> expected = ssdeepCli(files);
		assertThat(expected).hasSize(files.size());
		for (Path file : files) {
			String name = file.getFileName().toString();
			try (Sample inMemory = Sample.ofFile(name, file, Long.MAX_VALUE);
					Sample fromFile = Sample.ofFile(name, file, 0)) {
				assertThat(hash(inMemory)).as("in memory: %s", name).isEqualTo(expected.get(name));
				assertThat(hash(fromFile)).as("from file: %s", name).isEqualTo(expected.get(name));
			}
		}
	}

	@Test
	void givenAnInMemoryChild_whenHashed_thenTheHashCoversOnlyItsBytes() throws Exception {
		Sample empty = Sample.ofBytes("empty", new byte[0]);
		Sample one = Sample.ofBytes("one", new byte[] { 'M' });

		assertThat(hash(empty)).isEqualTo("3::");
		assertThat(hash(one)).isEqualTo("3:o:o");
	}

	@Test
	void hasAStableNameAndVersion() {
		assertThat(analyzer.name()).isEqualTo("ssdeep");
		assertThat(analyzer.version()).isNotBlank();
	}

	private String hash(Sample sample) throws Exception {
		Findings findings = new Findings();
		analyzer.analyse(sample, findings);
		return (String) findings.get("ssdeep");
	}

	/** Runs {@code ssdeep -b} over the files and maps each bare file name to the hash it printed. */
	static Map<String, String> ssdeepCli(List<Path> files) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("ssdeep", "-b"));
		files.forEach(f -> command.add(f.toString()));
		Process process;
		try {
			process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		}
		catch (IOException e) {
			org.junit.jupiter.api.Assertions.fail("the ssdeep CLI is not installed (apt-get install -y ssdeep)");
			throw e;
		}
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		Map<String, String> hashes = new HashMap<>();
		for (String line : output.split("\n")) {
			if (line.isBlank() || line.startsWith("ssdeep,")) {
				continue;
			}
			int comma = line.indexOf(",\"");
			String name = line.substring(comma + 2, line.length() - 1);
			hashes.put(name, line.substring(0, comma));
		}
		return hashes;
	}
}
