package io.trawl.worker.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.isolation.FaultyAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/** The pipeline without its native analyzers: what a sample suspected of crashing a worker is analysed with. */
class SampleAnalysisTests {

	@TempDir
	Path folder;

	@Test
	void onlyTheJnaAnalyzersSayTheyRunNativeCode() throws Exception {
		Path rulesFile = Files.writeString(folder.resolve("any.yar"), "rule Any { condition: true }\n");
		try (YaraRules rules = YaraRules.compile(rulesFile, 10)) {
			assertThat(new YaraAnalyzer(rules).nativeCode()).isTrue();
		}
		assertThat(new FaultyAnalyzer().nativeCode()).isTrue();
		assertThat(new SsdeepAnalyzer().nativeCode()).as("ssdeep is Java since issue 13").isFalse();
		assertThat(new HashAnalyzer().nativeCode()).isFalse();
		assertThat(new EntropyAnalyzer().nativeCode()).isFalse();
	}

	@Test
	void withoutNativeCodeLeavesThemOutAndSaysSoOnTheResult() throws Exception {
		Path rulesFile = Files.writeString(folder.resolve("any.yar"), "rule Any { condition: true }\n");
		try (YaraRules rules = YaraRules.compile(rulesFile, 10)) {
			SampleAnalysis whole = new SampleAnalysis(List.of(new HashAnalyzer(), new FaultyAnalyzer(),
					new SsdeepAnalyzer(), new EntropyAnalyzer(), new YaraAnalyzer(rules)), VerdictPolicy.defaults());

			SampleAnalysis careful = whole.withoutNativeCode("not run: the worker died");
			Findings findings = careful.analyse(Sample.ofBytes("poison.bin", "poison".getBytes()));

			assertThat(careful.leftOut()).containsExactly("faulty", "yara");
			assertThat(careful.analyzers()).extracting(Analyzer::name).containsExactly("hashes", "ssdeep", "entropy");
			assertThat(findings.get("sha256")).isNotNull();
			assertThat(findings.get("entropy")).isNotNull();
			assertThat(findings.get("ssdeep")).as("Java: kept; as ssdeep -b prints").isEqualTo("3:Ln:L");
			assertThat(findings.get("faulty")).isNull();
			assertThat(findings.errors()).containsExactly(
					new Findings.AnalysisError("faulty", "not run: the worker died"),
					new Findings.AnalysisError("yara", "not run: the worker died"));
			assertThat(findings.get("verdict")).as("YARA is essential: unscanned is not clean").isEqualTo("error");
			assertThat(whole.leftOut()).isEmpty();
		}
	}

	@Test
	void onlyKeepsTheNamedAnalyzersAndNamesTheOthersAsSkippedNotAsErrors() throws Exception {
		Path rulesFile = Files.writeString(folder.resolve("any.yar"), "rule Any { condition: true }\n");
		try (YaraRules rules = YaraRules.compile(rulesFile, 10)) {
			SampleAnalysis whole = new SampleAnalysis(List.of(new HashAnalyzer(), new SsdeepAnalyzer(),
					new EntropyAnalyzer(), new YaraAnalyzer(rules)), VerdictPolicy.defaults());

			Findings findings = whole.only(Set.of("hashes", "yara"), "not run: too big")
				.analyse(Sample.ofBytes("big.bin", "big".getBytes()));

			assertThat(findings.get("yara")).isEqualTo(List.of("Any"));
			assertThat(findings.get("entropy")).isNull();
			assertThat(findings.get("skipped"))
				.isEqualTo(Map.of("ssdeep", "not run: too big", "entropy", "not run: too big"));
			assertThat(findings.errors()).isEmpty();
			assertThat(findings.get("verdict")).isNotEqualTo("error");
		}
	}

	@Test
	void aCarefulOversizedSampleStillLeavesNativeCodeOut() throws Exception {
		SampleAnalysis whole = new SampleAnalysis(List.of(new HashAnalyzer(), new FaultyAnalyzer(),
				new EntropyAnalyzer()), VerdictPolicy.defaults());

		SampleAnalysis both = whole.withoutNativeCode("not run: the worker died").only(Set.of("hashes", "faulty"),
				"not run: too big");
		Findings findings = both.analyse(Sample.ofBytes("poison.bin", "poison".getBytes()));

		assertThat(both.analyzers()).extracting(Analyzer::name).containsExactly("hashes");
		assertThat(findings.errors()).containsExactly(new Findings.AnalysisError("faulty", "not run: the worker died"));
		assertThat(findings.get("skipped")).isEqualTo(Map.of("entropy", "not run: too big"));
	}

	@Test
	void aKnownContentStopsAfterTheHashes() {
		SampleAnalysis whole = new SampleAnalysis(List.of(new HashAnalyzer(), new EntropyAnalyzer(),
				new SsdeepAnalyzer()), VerdictPolicy.defaults());

		Findings known = whole.analyseUnlessKnown(Sample.ofBytes("again.bin", "seen".getBytes()),
				first -> first.get("sha256") != null);
		AtomicInteger asked = new AtomicInteger();
		Findings fresh = whole.analyseUnlessKnown(Sample.ofBytes("new.bin", "seen".getBytes()),
				first -> asked.incrementAndGet() < 0);

		assertThat(known.known()).isTrue();
		assertThat(known.get("sha256")).isEqualTo(fresh.get("sha256"));
		assertThat(known.get("entropy")).isNull();
		assertThat(known.get("verdict")).isNull();
		assertThat(fresh.known()).isFalse();
		assertThat(asked).as("asked once, after the hashes").hasValue(1);
		assertThat(fresh.get("entropy")).isNotNull();
	}
}
