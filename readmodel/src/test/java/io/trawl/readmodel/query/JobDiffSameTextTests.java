package io.trawl.readmodel.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@link JobDiff#sameText} and {@link JobDiff#sameAnalysis}: the diff's shortcuts for rows with the same analysis. */
class JobDiffSameTextTests {

	private static final String ANALYSIS = "{\"size\":3,\"yara\":[\"A\",\"B\"],\"verdict\":\"malicious\"";

	private static DiffRow row(long job, String verdict, String document) {
		return DiffRow.of(new SampleView(job, "ab", "ab", verdict, Instant.EPOCH, document));
	}

	private static String projected(String analysis, String sources, long job) {
		return analysis + ",\"sources\":[\"" + sources + "\"],\"jobInstanceId\":" + job + ",\"analysedAt\":\"t" + job
				+ "\"}";
	}

	@Test
	void theSameAnalysisUnderOtherSourcesJobsAndTimesIsTheSame() {
		assertThat(JobDiff.sameText(row(1, "malicious", projected(ANALYSIS, "a/x", 1)),
				row(2, "malicious", projected(ANALYSIS, "b/renamed", 2)))).isTrue();
	}

	@Test
	void anotherVerdictOrAnotherRuleIsNot() {
		assertThat(JobDiff.sameText(row(1, "malicious", projected(ANALYSIS, "a", 1)),
				row(2, "clean", projected(ANALYSIS, "a", 2)))).isFalse();
		assertThat(JobDiff.sameText(row(1, "malicious", projected(ANALYSIS, "a", 1)),
				row(2, "malicious", projected(ANALYSIS.replace("\"B\"", "\"C\""), "a", 2)))).isFalse();
	}

	@Test
	void theSameAnalysisUnderANewRulesetVersionAndProvenanceIsTheSameButNotAnotherHit() {
		String v1 = ANALYSIS + ",\"provenance\":{\"hashes\":1,\"yara\":1},\"rulesetVersion\":\"v1\"";
		String v2 = ANALYSIS + ",\"provenance\":{\"hashes\":1,\"yara\":2},\"rulesetVersion\":\"v2\"";
		assertThat(JobDiff.sameText(row(1, "malicious", projected(v1, "a", 1)),
				row(2, "malicious", projected(v2, "a", 2)))).isTrue();
		String otherHit = ANALYSIS.replace("\"B\"", "\"C\"") + ",\"provenance\":{\"yara\":2},\"rulesetVersion\":\"v2\"";
		assertThat(JobDiff.sameText(row(1, "malicious", projected(v1, "a", 1)),
				row(2, "malicious", projected(otherHit, "a", 2)))).isFalse();
		// hits after the provenance (not how Trawl writes a result): not cut there, and they differ
		String hitsLast = "{\"size\":3,\"provenance\":{\"yara\":1},\"yara\":[\"A\"]";
		assertThat(JobDiff.sameText(row(1, "clean", projected(hitsLast, "a", 1)),
				row(2, "clean", projected(hitsLast.replace("\"A\"]", "\"B\"]"), "a", 2)))).isFalse();
	}

	@Test
	void rulesAfterTheSourcesOrNoSourcesAtAllAreLeftToTheParse() {
		String yaraLast = "{\"size\":3,\"sources\":[\"a\"],\"yara\":[\"A\"]}";
		String yaraLastOther = "{\"size\":3,\"sources\":[\"a\"],\"yara\":[\"B\"]}";
		assertThat(JobDiff.sameText(row(1, "clean", yaraLast), row(2, "clean", yaraLastOther))).isFalse();
		assertThat(JobDiff.sameText(row(1, "clean", "{\"size\":3}"), row(2, "clean", "{\"size\":3}"))).isFalse();
	}

	@Test
	void aSourcesKeyInsideAStringIsNotACut() {
		// a location that spells the key: inside a JSON string its quotes are escaped, so it is no cut point
		String tricky = "{\"size\":3,\"name\":\"x\\\",\\\"sources\\\":\",\"yara\":[\"A\"]";
		String other = "{\"size\":3,\"name\":\"x\\\",\\\"sources\\\":\",\"yara\":[\"B\"]";
		assertThat(JobDiff.sameText(row(1, "clean", projected(tricky, "a", 1)),
				row(2, "clean", projected(other, "a", 2)))).isFalse();
		assertThat(JobDiff.sameText(row(1, "clean", projected(tricky, "a", 1)),
				row(2, "clean", projected(tricky, "b", 2)))).isTrue();
	}

	@Test
	void rowsNamingTheSameAnalysisAreTheSameUnlessTheVerdictDiffers() {
		DiffRow a = new DiffRow("ab", "ab", "clean", "k1", null, () -> {
			throw new AssertionError("the document is not read");
		});
		DiffRow b = new DiffRow("ab", "ab", "clean", "k1", null, a.document());
		assertThat(JobDiff.sameAnalysis(a, b)).isTrue();
		assertThat(JobDiff.sameAnalysis(a, new DiffRow("ab", "ab", "malicious", "k1", null, a.document()))).isFalse();
		assertThat(JobDiff.sameAnalysis(a, new DiffRow("ab", "ab", "clean", "k2", null, a.document()))).isFalse();
		assertThat(JobDiff.sameAnalysis(new DiffRow("ab", "ab", "clean", null, null, a.document()),
				new DiffRow("ab", "ab", "clean", null, null, a.document()))).isFalse();
	}

	@Test
	void rowsWithTheirRulesAreTheSameWhenTheRulesAndTheVerdictAreWhateverTheirOrderOrRepeats() {
		DiffRow a = DiffRow.of(new SampleView(1, "ab", "ab", "malicious", Instant.EPOCH, "{}", List.of("B", "A")));
		DiffRow again = DiffRow.of(new SampleView(2, "ab", "ab", "malicious", Instant.EPOCH, "{}",
				List.of("A", "B", "A")));
		assertThat(a.rules()).isEqualTo("[\"A\",\"B\"]").isEqualTo(again.rules());
		assertThat(JobDiff.sameRules(a, again)).isTrue();
		assertThat(JobDiff.sameRules(a, DiffRow.of(new SampleView(2, "ab", "ab", "malicious", Instant.EPOCH, "{}",
				List.of("A"))))).isFalse();
		assertThat(JobDiff.sameRules(a, DiffRow.of(new SampleView(2, "ab", "ab", "suspicious", Instant.EPOCH, "{}",
				List.of("A", "B"))))).isFalse();
		// no rule at all is a key too, the one Jackson writes for an empty list; a view without its rules has none
		assertThat(DiffRow.of(new SampleView(1, "ab", "ab", "clean", Instant.EPOCH, "{}", List.of())).rules())
			.isEqualTo("[]");
		assertThat(row(1, "clean", "{}").rules()).isNull();
	}
}
