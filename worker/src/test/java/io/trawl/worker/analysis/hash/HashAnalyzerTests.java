package io.trawl.worker.analysis.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.source.Sample;

/** The four digests, for samples held in memory and streamed from their file, at sizes around the slice size. */
class HashAnalyzerTests {

	@TempDir
	Path dir;

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 65_535, 65_536, 65_537, 3_000_001, 4_194_303, 4_194_304, 5_000_001 })
	void givenAnySizeInMemoryOrStreamed_thenEachDigestIsTheJdksOverTheWholeContent(int size) throws Exception {
		byte[] content = new byte[size];
		new Random(size).nextBytes(content);
		Path file = Files.write(dir.resolve("sample"), content);
		SampleAnalysis hashes = new SampleAnalysis(List.of(new HashAnalyzer()), VerdictPolicy.defaults());
		for (long inMemoryLimit : new long[] { Long.MAX_VALUE, 0 }) {
			try (Sample sample = Sample.ofFile("sample", file, inMemoryLimit)) {
				Findings findings = hashes.analyse(sample);
				assertThat(findings.get("md5")).isEqualTo(hex("MD5", content));
				assertThat(findings.get("sha1")).isEqualTo(hex("SHA-1", content));
				assertThat(findings.get("sha256")).isEqualTo(hex("SHA-256", content));
				assertThat(findings.get("sha512")).isEqualTo(hex("SHA-512", content));
			}
		}
	}

	@ParameterizedTest
	@ValueSource(longs = { Long.MAX_VALUE, 0 })
	void givenALargeSampleHashedInTwoPasses_thenEachDigestIsTheCoreutilsOne(long inMemoryLimit) throws Exception {
		byte[] content = new byte[(int) HashAnalyzer.TWO_PASSES_FROM * 2 + 12_345];
		new Random(13).nextBytes(content);
		Path file = Files.write(dir.resolve("large"), content);
		try (Sample sample = Sample.ofFile("large", file, inMemoryLimit)) {
			Findings findings = new SampleAnalysis(List.of(new HashAnalyzer()), VerdictPolicy.defaults())
				.analyse(sample);
			for (String field : List.of("md5", "sha1", "sha256", "sha512")) {
				assertThat(findings.get(field)).as(field).isEqualTo(coreutils(field + "sum", file));
			}
		}
	}

	@ParameterizedTest
	@ValueSource(longs = { Long.MAX_VALUE, 0 })
	void givenALargeSampleOutOfTime_thenTheHashesAreOneErrorAndNoField(long inMemoryLimit) throws Exception {
		Path file = Files.write(dir.resolve("large"), new byte[(int) HashAnalyzer.TWO_PASSES_FROM * 4]);
		try (Sample sample = Sample.ofFile("large", file, inMemoryLimit)) {
			Findings findings = new SampleAnalysis(List.of(new HashAnalyzer()), VerdictPolicy.defaults(),
					Duration.ZERO).analyse(sample);
			assertThat(findings.errors()).singleElement()
				.satisfies(error -> assertThat(error.message()).startsWith("timed out"));
			assertThat(findings.get("md5")).isNull();
		}
	}

	private static String coreutils(String command, Path file) throws Exception {
		Process process = new ProcessBuilder(command, file.toString()).redirectErrorStream(true).start();
		String out = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(out).isZero();
		return out.substring(0, out.indexOf(' '));
	}

	private static String hex(String algorithm, byte[] content) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
	}
}
