package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.jdbc.JdbcEventStore;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.source.Sample;

/**
 * A reused result is copied as its stored text only when rebuilding it would give the same document; otherwise it
 * is rebuilt (here with YARA left out, so no ruleset is involved).
 */
class IncrementalCopyTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final long BASE = 7;

	private JdbcEventStore events;
	private Incremental incremental;

	@BeforeEach
	void givenABaseJobAndAPipelineOfOneAnalyzer() {
		events = new JdbcEventStore(new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID()
				+ ";DB_CLOSE_DELAY=-1", "sa", ""));
		Analyzer hashes = new Analyzer() {
			@Override
			public String name() {
				return "hashes";
			}

			@Override
			public String version() {
				return "3";
			}

			@Override
			public void analyse(Sample sample, Findings findings) {
			}
		};
		VerdictPolicy verdicts = VerdictPolicy.defaults();
		incremental = new Incremental(new BaseResults(events, BASE), new DeltaRulesets(null), BASE, 8, 80,
				new SampleAnalysis(List.of(hashes), verdicts), verdicts, null, null, rules -> null);
	}

	@Test
	void aResultThatWouldComeOutTheSameIsCopiedAsItsStoredText() {
		String stored = store("a", document(0, "clean", 0, List.of()));
		String withSignal = store("b", document(0, "suspicious", 40, List.of(Map.of("name", "packed", "score", 40))));

		assertThat(reused("a", 0).copied()).isEqualTo(stored);
		assertThat(reused("b", 0).copied()).isEqualTo(withSignal);
		assertThat(reused("a", 0).document()).containsEntry("verdict", "clean").containsEntry("errors", List.of());
	}

	@Test
	void aResultThatWouldChangeIsRebuilt() {
		store("verdict", document(0, "malicious", 0, List.of())); // a policy with other thresholds wrote it
		store("depth", document(1, "clean", 0, List.of()));
		store("twice", "{\"depth\":0," + JSON.writeValueAsString(document(0, "clean", 0, List.of())).substring(1));
		Map<String, Object> older = document(0, "clean", 0, List.of());
		older.remove("provenance"); // written before provenance existed
		store("older", older);

		Analysed verdict = reused("verdict", 0);
		Analysed depth = reused("depth", 0);

		assertThat(verdict.copied()).isNull();
		assertThat(verdict.document()).containsEntry("verdict", "clean").containsEntry("score", 0);
		assertThat(depth.copied()).isNull();
		assertThat(depth.document()).containsEntry("depth", 0);
		assertThat(reused("twice", 0).copied()).isNull();
		assertThat(reused("older", 0).copied()).isNull();
		assertThat(reused("older", 0).document().get("provenance")).isEqualTo(Map.of("hashes", BASE));
	}

	@Test
	void aResultOfOtherVersionsOrWithErrorsIsNotReused() {
		Map<String, Object> otherVersion = document(0, "clean", 0, List.of());
		otherVersion.put("analyzers", Map.of("hashes", "2"));
		store("version", otherVersion);
		Map<String, Object> failed = document(0, "clean", 0, List.of());
		failed.put("errors", List.of(Map.of("analyzer", "hashes", "message", "boom")));
		store("errors", failed);

		assertThat(incremental.reusable(sha("version"), 0)).isEmpty();
		assertThat(incremental.reusable(sha("errors"), 0)).isEmpty();
		assertThat(incremental.reusable(sha("missing"), 0)).isEmpty();
	}

	private Analysed reused(String seed, int depth) {
		Incremental.Reuse reuse = incremental.reusable(sha(seed), depth).orElseThrow();
		return incremental.reuse(reuse, null).orElseThrow();
	}

	private static Map<String, Object> document(int depth, String verdict, int score, List<Object> signals) {
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("sha256", "x");
		document.put("strings", List.of("a {\"nested\": 1}", "b"));
		if (!signals.isEmpty()) {
			document.put("signals", signals);
		}
		document.put("verdict", verdict);
		document.put("score", score);
		document.put("errors", List.of());
		document.put("analyzers", Map.of("hashes", "3"));
		document.put("depth", depth);
		document.put("provenance", Map.of("hashes", 3));
		return document;
	}

	private String store(String seed, Object document) {
		String payload = document instanceof String text ? text : JSON.writeValueAsString(document);
		events.append(List.of(new ResultEvent(ResultEvent.analysedId(BASE, sha(seed)), BASE, 70, sha(seed),
				EventKind.ANALYSED, Instant.parse("2026-12-05T01:00:00Z"), payload)));
		return payload;
	}

	private static String sha(String seed) {
		return io.trawl.worker.analysis.hash.HashAnalyzer.sha256Hex(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
	}
}
