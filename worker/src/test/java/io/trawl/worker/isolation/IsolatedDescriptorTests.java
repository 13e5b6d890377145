package io.trawl.worker.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.FolderSampleSource;
import io.trawl.worker.source.Sample;
import io.trawl.worker.source.SampleRef;
import io.trawl.worker.testcorpus.TestCorpus;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * A native host reads a folder's sample through the descriptor the job holds open, not by its name: after the name
 * is renamed away and another file put in its place, YARA in the host still scans the content that was opened, as the
 * {@code yara} CLI scans that content. Two samples that get the same descriptor number are not confused. (The rule
 * matches bytes near the end of the opened content only, so the whole content is read, from memory or the file.)
 */
class IsolatedDescriptorTests {

	/** The hosts read samples up to this size into memory, larger ones from their file. */
	private static final int HOST_IN_MEMORY = 1 << 20;

	@TempDir
	Path dir;

	private NativeHosts hosts;
	private YaraRules rules;

	@AfterEach
	void stop() {
		if (hosts != null) {
			hosts.close();
		}
		if (rules != null) {
			rules.close();
		}
	}

	@Test
	void givenAnOpenSample_whenItsNameIsSwappedForOtherContent_thenTheHostScansWhatWasOpened() throws Exception {
		Path root = Files.createDirectories(dir.resolve("corpus"));
		Path kept = Files.createDirectories(dir.resolve("kept"));
		// one the host holds in memory, one it reads from the file, through the descriptor either way
		int[] sizes = { 10_000, 3_000_000 };
		StringBuilder ruleText = new StringBuilder();
		for (int size : sizes) {
			ruleText.append(rule("opened_" + size, TestCorpus.randomBytes(size, size)));
		}
		Path ruleFile = Files.writeString(dir.resolve("opened.yar"), ruleText);
		rules = YaraRules.compile(ruleFile, 10);
		hosts = new NativeHosts(List.of(new YaraAnalyzer(rules)), Duration.ofSeconds(60), HOST_IN_MEMORY,
				NativeHosts.commandFor(dir, 1L << 30), dir);
		IsolatedAnalyzer yara = new IsolatedAnalyzer(new YaraAnalyzer(rules), hosts);
		for (int size : sizes) {
			byte[] original = TestCorpus.randomBytes(size, size);
			byte[] other = TestCorpus.randomBytes(size, size + 1);
			String name = "sample-" + size + ".bin";
			Files.write(root.resolve(name), original);
			List<String> expected = yaraCli(ruleFile, Files.write(kept.resolve(name), original));
			assertThat(expected).containsExactly("opened_" + size);
			assertThat(yaraCli(ruleFile, Files.write(kept.resolve("other-" + name), other))).isEmpty();
			FolderSampleSource source = new FolderSampleSource(root, HOST_IN_MEMORY);

			try (Sample sample = source.open(ref(source, name))) {
				Files.move(root.resolve(name), dir.resolve("renamed-" + name));
				Files.write(root.resolve(name), other);
				Findings findings = new Findings();

				yara.analyse(sample, findings);

				assertThat(findings.get("yara")).as("YARA matches of %s", name).isEqualTo(expected);
			}
		}
	}

	@Test
	void givenTwoSamplesUnderTheSamePathNameAndTime_whenAnalysedOneAfterTheOther_thenEachGetsItsOwnMatches()
			throws Exception {
		byte[] first = TestCorpus.randomBytes(50_000, 1);
		Path ruleFile = Files.writeString(dir.resolve("first.yar"), rule("first", first));
		rules = YaraRules.compile(ruleFile, 10);
		hosts = new NativeHosts(List.of(new YaraAnalyzer(rules)), Duration.ofSeconds(60), HOST_IN_MEMORY,
				NativeHosts.commandFor(dir, 1L << 30), dir);
		IsolatedAnalyzer yara = new IsolatedAnalyzer(new YaraAnalyzer(rules), hosts);
		// what a reused descriptor number looks like to the host: the same path, name, size and modification time
		// with other bytes behind them; only the sample's token tells the two apart
		Path file = Files.createDirectories(dir.resolve("same")).resolve("a.bin");
		FileTime modified = FileTime.fromMillis(1_700_000_000_000L);
		Files.write(file, first);
		Files.setLastModifiedTime(file, modified);
		List<String> firstExpected = yaraCli(ruleFile, file);
		Object firstMatches;
		try (Sample sample = Sample.ofFile("a.bin", file, HOST_IN_MEMORY)) {
			firstMatches = matches(yara, sample);
		}
		Files.write(file, TestCorpus.randomBytes(50_000, 2));
		Files.setLastModifiedTime(file, modified);

		try (Sample sample = Sample.ofFile("a.bin", file, HOST_IN_MEMORY)) {
			assertThat(matches(yara, sample)).isEqualTo(yaraCli(ruleFile, file)).isNotEqualTo(firstMatches);
		}
		assertThat(firstMatches).isEqualTo(firstExpected).isEqualTo(List.of("first"));
	}

	/** A rule that matches 16 bytes taken near the end of {@code content}. */
	private static String rule(String name, byte[] content) {
		int at = content.length - 100;
		String hex = HexFormat.ofDelimiter(" ").formatHex(content, at, at + 16);
		return "rule " + name + " { strings: $tail = { " + hex + " } condition: $tail }\n";
	}

	private static Object matches(IsolatedAnalyzer yara, Sample sample) throws Exception {
		Findings findings = new Findings();
		yara.analyse(sample, findings);
		return findings.get("yara");
	}

	private static SampleRef ref(FolderSampleSource source, String location) {
		try (Stream<SampleRef> refs = source.list(null)) {
			return refs.filter(ref -> ref.location().equals(location)).findFirst().orElseThrow();
		}
	}

	/** The rules {@code yara} reports for one file: each line is {@code rule path}. */
	private static List<String> yaraCli(Path rules, Path file) throws IOException, InterruptedException {
		Process process = new ProcessBuilder("yara", rules.toString(), file.toString()).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		return output.lines().map(line -> line.substring(0, line.indexOf(' '))).toList();
	}
}
