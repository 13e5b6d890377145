package io.trawl.worker.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.source.FolderSampleSource;
import io.trawl.worker.source.Sample;
import io.trawl.worker.source.SampleRef;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * A native host reads a folder's sample through the descriptor the job holds open, not by its name: after the name
 * is renamed away and another file put in its place, ssdeep in the host still hashes the content that was opened, as
 * the {@code ssdeep} CLI hashes that content. Two samples that get the same descriptor number are not confused.
 */
class IsolatedDescriptorTests {

	/** The hosts read samples up to this size into memory, larger ones from their file. */
	private static final int HOST_IN_MEMORY = 1 << 20;

	@TempDir
	Path dir;

	private NativeHosts hosts;

	@AfterEach
	void stop() {
		if (hosts != null) {
			hosts.close();
		}
	}

	@Test
	void givenAnOpenSample_whenItsNameIsSwappedForOtherContent_thenTheHostHashesWhatWasOpened() throws Exception {
		hosts = new NativeHosts(List.of(new SsdeepAnalyzer()), Duration.ofSeconds(60), HOST_IN_MEMORY,
				NativeHosts.commandFor(dir, 1L << 30), dir);
		IsolatedAnalyzer ssdeep = new IsolatedAnalyzer(new SsdeepAnalyzer(), hosts);
		Path root = Files.createDirectories(dir.resolve("corpus"));
		Path kept = Files.createDirectories(dir.resolve("kept"));
		// one the host holds in memory, one it hashes from the file, through the descriptor either way
		for (int size : new int[] { 10_000, 3_000_000 }) {
			byte[] original = TestCorpus.randomBytes(size, size);
			byte[] other = TestCorpus.randomBytes(size, size + 1);
			String name = "sample-" + size + ".bin";
			Files.write(root.resolve(name), original);
			String expected = ssdeepCli(Files.write(kept.resolve(name), original));
			assertThat(expected).isNotEqualTo(ssdeepCli(Files.write(kept.resolve("other-" + name), other)));
			FolderSampleSource source = new FolderSampleSource(root, HOST_IN_MEMORY);

			try (Sample sample = source.open(ref(source, name))) {
				Files.move(root.resolve(name), dir.resolve("renamed-" + name));
				Files.write(root.resolve(name), other);
				Findings findings = new Findings();

				ssdeep.analyse(sample, findings);

				assertThat(findings.get("ssdeep")).as("ssdeep of %s", name).isEqualTo(expected);
			}
		}
	}

	@Test
	void givenTwoSamplesUnderTheSamePathNameAndTime_whenAnalysedOneAfterTheOther_thenEachGetsItsOwnHash()
			throws Exception {
		hosts = new NativeHosts(List.of(new SsdeepAnalyzer()), Duration.ofSeconds(60), HOST_IN_MEMORY,
				NativeHosts.commandFor(dir, 1L << 30), dir);
		IsolatedAnalyzer ssdeep = new IsolatedAnalyzer(new SsdeepAnalyzer(), hosts);
		// what a reused descriptor number looks like to the host: the same path, name, size and modification time
		// with other bytes behind them; only the sample's token tells the two apart
		Path file = Files.createDirectories(dir.resolve("same")).resolve("a.bin");
		FileTime modified = FileTime.fromMillis(1_700_000_000_000L);
		Files.write(file, TestCorpus.randomBytes(50_000, 1));
		Files.setLastModifiedTime(file, modified);
		String firstExpected = ssdeepCli(file);
		String firstHash;
		try (Sample sample = Sample.ofFile("a.bin", file, HOST_IN_MEMORY)) {
			firstHash = hash(ssdeep, sample);
		}
		Files.write(file, TestCorpus.randomBytes(50_000, 2));
		Files.setLastModifiedTime(file, modified);

		try (Sample sample = Sample.ofFile("a.bin", file, HOST_IN_MEMORY)) {
			assertThat(hash(ssdeep, sample)).isEqualTo(ssdeepCli(file)).isNotEqualTo(firstHash);
		}
		assertThat(firstHash).isEqualTo(firstExpected);
	}

	private static String hash(IsolatedAnalyzer ssdeep, Sample sample) throws Exception {
		Findings findings = new Findings();
		ssdeep.analyse(sample, findings);
		return (String) findings.get("ssdeep");
	}

	private static SampleRef ref(FolderSampleSource source, String location) {
		try (Stream<SampleRef> refs = source.list(null)) {
			return refs.filter(ref -> ref.location().equals(location)).findFirst().orElseThrow();
		}
	}

	/** The hash {@code ssdeep -b} prints for one file: its second line is {@code hash,"name"}. */
	private static String ssdeepCli(Path file) throws IOException, InterruptedException {
		Process process = new ProcessBuilder("ssdeep", "-b", file.toString()).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		String line = output.lines().skip(1).findFirst().orElseThrow();
		return line.substring(0, line.lastIndexOf(",\""));
	}
}
