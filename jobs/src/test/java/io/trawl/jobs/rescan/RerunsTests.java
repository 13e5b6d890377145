package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.content.MimeTypeAnalyzer;
import io.trawl.worker.analysis.filetype.FileTypeAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.analysis.tlsh.TlshAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/** Which analyzers run again on a stored result whose analyzers' versions are not this pipeline's. */
class RerunsTests {

	private static YaraRules rules;
	private static Reruns reruns;
	private static Map<String, String> versions;
	private static final List<String> FIELDS = List.of("md5", "sha1", "sha256", "sha512", "mimeType", "fileType",
			"entropy", "tlsh", "rulesetVersion", "yara", "yaraMatches", "size", "errors", "verdict", "score",
			"analyzers", "provenance", "depth");

	@BeforeAll
	static void pipeline() {
		rules = YaraRules.compile(Path.of("../config/rules").toAbsolutePath().normalize(), 30);
		reruns = new Reruns(new SampleAnalysis(List.of(new HashAnalyzer(), new MimeTypeAnalyzer(),
				new FileTypeAnalyzer(), new EntropyAnalyzer(), new TlshAnalyzer(), new YaraAnalyzer(rules)),
				VerdictPolicy.defaults()), VerdictPolicy.defaults());
		versions = reruns.versions();
	}

	@AfterAll
	static void free() {
		rules.close();
	}

	@Test
	void givenTheSameVersions_thenNothingRunsAgain() {
		assertThat(reruns.plan(new LinkedHashMap<>(versions), FIELDS)).isSameAs(Reruns.NONE);
	}

	@Test
	void givenACheapAnalyzerChanged_thenItRunsAloneAndReadsNothing() {
		Reruns.Plan plan = reruns.plan(with("entropy", "0"), FIELDS);
		assertThat(plan.names()).containsExactly("entropy");
		assertThat(plan.fields()).containsExactly("entropy");
		assertThat(plan.given()).isEmpty();
	}

	@Test
	void givenTheMimeTypeChanged_thenWhatReadsItRunsAgainToo() {
		Reruns.Plan plan = reruns.plan(with("mimeType", "tika-0"), FIELDS);
		assertThat(plan.names()).containsExactly("mimeType", "fileType", "yara");
		assertThat(plan.given()).as("the mime type is found again, not given").isEmpty();
	}

	@Test
	void givenTheFileTypeChanged_thenItIsGivenTheStoredMimeType() {
		Reruns.Plan plan = reruns.plan(with("fileType", "1"), FIELDS);
		assertThat(plan.names()).containsExactly("fileType");
		assertThat(plan.given()).containsExactly("mimeType");
	}

	@Test
	void givenANewAnalyzer_thenItRuns() {
		Map<String, String> stored = new LinkedHashMap<>(versions);
		stored.remove("tlsh");
		assertThat(reruns.plan(stored, FIELDS.stream().filter(f -> !f.equals("tlsh")).toList()).names())
			.containsExactly("tlsh");
	}

	@Test
	void givenTheHashesChanged_thenTheResultIsNotSplit() {
		assertThat(reruns.plan(with("hashes", "0"), FIELDS)).isNull();
	}

	@Test
	void givenARemovedAnalyzerWhoseFieldsNoneDeclares_thenTheResultIsNotSplit() {
		Map<String, String> stored = with("gone", "1");
		assertThat(reruns.plan(stored, FIELDS)).as("it wrote nothing: its name goes").isNotNull();
		assertThat(reruns.plan(stored, concat(FIELDS, "goneField"))).as("whose field is it?").isNull();
	}

	@Test
	void givenAChangedAnalyzerThatDeclaresNoFields_thenTheResultIsNotSplit() {
		Analyzer undeclared = new Analyzer() {
			@Override
			public String name() {
				return "undeclared";
			}

			@Override
			public String version() {
				return "2";
			}

			@Override
			public void analyse(Sample sample, Findings findings) {
				findings.put("something", 1);
			}
		};
		Reruns withIt = new Reruns(new SampleAnalysis(List.of(new HashAnalyzer(), undeclared),
				VerdictPolicy.defaults()), VerdictPolicy.defaults());
		assertThat(withIt.plan(Map.of("hashes", "1", "undeclared", "1"), List.of("sha256", "something"))).isNull();
	}

	@Test
	void givenWhatARerunFound_thenOnlyItsDeclaredFieldsWithoutErrorsOrSignalsReplaceTheStoredOnes() {
		Reruns.Plan plan = reruns.plan(with("entropy", "0"), FIELDS);
		Findings clean = plan.analysis().analyse(Sample.ofBytes("a", new byte[] { 1, 2, 3 }), Map.of());
		assertThat(clean.get("entropy")).isNotNull();
		assertThat(Reruns.replaces(plan, clean, Map.of())).isTrue();
		Findings stray = plan.analysis().analyse(Sample.ofBytes("a", new byte[] { 1, 2, 3 }));
		stray.put("stray", true);
		assertThat(Reruns.replaces(plan, stray, Map.of())).isFalse();
		Findings failed = plan.analysis().analyse(Sample.ofBytes("a", new byte[] { 1, 2, 3 }));
		failed.addError("entropy", "broken");
		assertThat(Reruns.replaces(plan, failed, Map.of())).isFalse();
	}

	private static Map<String, String> with(String analyzer, String version) {
		Map<String, String> stored = new LinkedHashMap<>(versions);
		stored.put(analyzer, version);
		return stored;
	}

	private static List<String> concat(List<String> fields, String field) {
		List<String> all = new java.util.ArrayList<>(fields);
		all.add(field);
		return all;
	}
}
