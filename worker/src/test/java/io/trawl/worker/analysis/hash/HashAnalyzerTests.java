package io.trawl.worker.analysis.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
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
	@ValueSource(ints = { 0, 1, 65_535, 65_536, 65_537, 3_000_001 })
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

	private static String hex(String algorithm, byte[] content) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
	}
}
