package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.jdbc.JdbcEventStore;
import io.trawl.readmodel.jdbc.JdbcManifests;
import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * A night with a new ruleset: a stored result whose matches the delta leaves as they are keeps its stored text, with
 * only the ruleset version and YARA's provenance replaced (never parsed and written anew); one whose matches change
 * (a new rule hits, a rule it hit was removed or changed) is rebuilt. Real rules through libyara, the delta scanned
 * in this JVM.
 */
class IncrementalPatchTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final long BASE = 7;
	private static final long JOB = 8;
	private static final String HELLO = "rule Hello { strings: $h = \"hello\" condition: $h }\n";
	private static final String BYE = "rule Bye { strings: $b = \"goodbye\" condition: $b }\n";
	private static final String WORLD = "rule World { strings: $w = \"world\" condition: $w }\n";

	@TempDir
	Path workspace;

	private final VerdictPolicy verdicts = VerdictPolicy.defaults();
	private final JdbcEventStore events;
	private final JdbcManifests manifests;
	private final DeltaRulesets deltas;
	private YaraRules before;
	private YaraRules after;

	IncrementalPatchTests() {
		DriverManagerDataSource db = new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID()
				+ ";DB_CLOSE_DELAY=-1", "sa", "");
		events = new JdbcEventStore(db);
		manifests = new JdbcManifests(db);
		deltas = new DeltaRulesets(manifests);
	}

	@AfterEach
	void free() {
		deltas.close();
		for (YaraRules rules : new YaraRules[] { before, after }) {
			if (rules != null) {
				rules.close();
			}
		}
	}

	@Test
	void givenANewRuleThatMissesTheSample_thenTheStoredTextIsPatched() throws IOException {
		Incremental incremental = incremental(HELLO + BYE, HELLO + BYE + WORLD);
		String stored = store("hello there", "hello there");

		Incremental.Reuse reuse = incremental.reusable(sha("hello there"), 0).orElseThrow();
		Analysed reused = incremental.reuse(reuse, Sample.ofBytes("a", bytes("hello there"))).orElseThrow();

		assertThat(reuse.needsRead()).as("World must be scanned").isTrue();
		Map<String, Object> expected = map(stored);
		expected.put("rulesetVersion", after.version());
		@SuppressWarnings("unchecked")
		Map<String, Object> provenance = new LinkedHashMap<>((Map<String, Object>) expected.get("provenance"));
		provenance.put("yara", JOB);
		expected.put("provenance", provenance);
		assertThat(reused.copied()).as("the stored text, patched").isEqualTo(JSON.writeValueAsString(expected));
		assertThat(reused.document()).containsEntry("verdict", expected.get("verdict"))
			.containsEntry("yara", List.of("Hello"));
	}

	@Test
	void givenOnlyANewVersionOfTheSameRules_thenTheStoredTextIsPatchedWithoutReadingTheSample() throws IOException {
		Incremental incremental = incremental(HELLO + BYE, HELLO + "\n// a comment: a new version\n" + BYE);
		String stored = store("hello there", "hello there");

		Incremental.Reuse reuse = incremental.reusable(sha("hello there"), 0).orElseThrow();
		Analysed reused = incremental.reuse(reuse, null).orElseThrow();

		assertThat(reuse.needsRead()).isFalse();
		Map<String, Object> expected = map(stored);
		expected.put("rulesetVersion", after.version());
		assertThat(after.version()).isNotEqualTo(before.version());
		assertThat(reused.copied()).isEqualTo(JSON.writeValueAsString(expected));
	}

	@Test
	void givenANewRuleThatHitsTheSample_thenTheResultIsRebuiltWithTheHit() throws IOException {
		Incremental incremental = incremental(HELLO + BYE, HELLO + BYE + WORLD);
		store("hello world", "hello world");

		Analysed reused = incremental.reuse(incremental.reusable(sha("hello world"), 0).orElseThrow(),
				Sample.ofBytes("b", bytes("hello world"))).orElseThrow();

		assertThat(reused.copied()).isNull();
		assertThat(reused.document()).containsEntry("yara", List.of("Hello", "World"))
			.containsEntry("rulesetVersion", after.version())
			.containsEntry("provenance", Map.of("hashes", 3, "yara", JOB));
	}

	@Test
	void givenARemovedRuleThatTheSampleHit_thenTheResultIsRebuiltWithoutIt() throws IOException {
		Incremental incremental = incremental(HELLO + BYE, HELLO);
		store("hello and goodbye", "hello and goodbye");

		Analysed reused = incremental.reuse(incremental.reusable(sha("hello and goodbye"), 0).orElseThrow(), null)
			.orElseThrow();

		assertThat(reused.copied()).isNull();
		assertThat(reused.document()).containsEntry("yara", List.of("Hello"))
			.containsEntry("rulesetVersion", after.version());
	}

	@Test
	void theSpansOfThePatchedFieldsAreTheirValuesWhereverTheyStand() {
		String payload = "{\"provenance\":{\"a\":1,\"b\":{\"c\":\"}\"}},\"strings\":[\"\\\"rulesetVersion\\\":\\\"x\\\"\"],"
				+ "\"rulesetVersion\":\"v\\u0031\",\"depth\":0}";

		Incremental.Stored stored = Incremental.stored(payload);

		int[] version = stored.spans().get("rulesetVersion");
		int[] provenance = stored.spans().get("provenance");
		assertThat(payload.substring(version[0], version[1])).isEqualTo("\"v\\u0031\"");
		assertThat(payload.substring(provenance[0], provenance[1])).isEqualTo("{\"a\":1,\"b\":{\"c\":\"}\"}}");
		assertThat(stored.head()).containsEntry("rulesetVersion", "v1").containsEntry("depth", 0);
		assertThat(Incremental.stored("{\"depth\":0,\"depth\":1}")).as("a name twice").isNull();
	}

	@Test
	void aTextWrittenHeadFirstIsReadAsFarAsItsHeadAndItsJobFieldsWithWhatAReadInFullGives() {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("size", 4L);
		fields.put("sha256", "c".repeat(64));
		fields.put("mimeType", "application/x-executable");
		fields.put("fileType", Map.of("magic", "7f454c46"));
		fields.put("strings", List.of("\"verdict\":\"malicious\"", ",\"provenance\":{}", "}"));
		fields.put("elf", Map.of("sections", List.of(Map.of("name", ".text", "errors", List.of("x")))));
		fields.put("yara", List.of("Rule"));
		fields.put("yaraMatches", List.of(Map.of("namespace", "a", "rule", "Rule", "tags", List.of(), "meta", Map.of())));
		fields.put("score", 50);
		fields.put("verdict", "suspicious");
		fields.put("errors", List.of());
		fields.put("analyzers", Map.of("hashes", "1", "yara", "2"));
		fields.put("depth", 0);
		Map<String, Object> provenance = new LinkedHashMap<>(); // Map.of's order changes from run to run
		provenance.put("hashes", 3L);
		provenance.put("yara", 4L);
		fields.put("provenance", provenance);
		fields.put("rulesetVersion", "v2");
		String headFirst = JSON.writeValueAsString(new Analysed("c".repeat(64), fields, List.of()).document());

		assertThat(headFirst).startsWith("{\"errors\":[],\"verdict\":\"suspicious\",\"score\":50,\"yara\":[\"Rule\"]")
			.endsWith(",\"provenance\":{\"hashes\":3,\"yara\":4},\"rulesetVersion\":\"v2\"}");
		Incremental.Stored read = Incremental.stored(headFirst);
		Incremental.Stored whole = Incremental.inFull(headFirst);
		assertThat(read.head()).isEqualTo(whole.head()).containsEntry("size", 4).containsEntry("rulesetVersion", "v2")
			.doesNotContainKey("strings");
		assertThat(read.spans()).containsOnlyKeys("provenance", "rulesetVersion");
		read.spans().forEach((name, span) -> assertThat(span).as(name).containsExactly(whole.spans().get(name)));
		assertThat(headFirst.substring(read.spans().get("rulesetVersion")[0], read.spans().get("rulesetVersion")[1]))
			.isEqualTo("\"v2\"");
		// a head name again in the job fields' part: read in full, which finds the name twice
		assertThat(Incremental.stored(headFirst.replace(",\"rulesetVersion\"", ",\"depth\":1,\"rulesetVersion\"")))
			.isNull();
	}

	/** An incremental step from rules {@code r1} (the base job's) to {@code r2} (this job's). */
	private Incremental incremental(String r1, String r2) throws IOException {
		before = YaraRules.compile(write("r1", r1), 10);
		after = YaraRules.compile(write("r2", r2), 10);
		CurrentFingerprints fingerprints = new CurrentFingerprints(manifests);
		fingerprints.of(before).orElseThrow();
		var current = fingerprints.of(after).orElseThrow();
		SampleAnalysis pipeline = new SampleAnalysis(List.of(hashes(), new YaraAnalyzer(after)), verdicts);
		return new Incremental(new BaseResults(events, BASE), deltas, BASE, JOB, 80, pipeline, verdicts, after,
				current, delta -> new SampleAnalysis(List.of(new YaraAnalyzer(delta)), verdicts));
	}

	/** Stores the base job's result of a content as the analysis writes it, scanned with the base rules. */
	private String store(String seed, String content) {
		Findings scanned = new SampleAnalysis(List.of(new YaraAnalyzer(before)), verdicts)
			.analyse(Sample.ofBytes("x", bytes(content)));
		Map<String, Object> document = new LinkedHashMap<>();
		document.put("sha256", sha(seed));
		document.put("mimeType", "text/plain");
		document.put("strings", List.of("a {\"rulesetVersion\": 1}", content));
		document.put("yara", scanned.get("yara"));
		document.put("yaraMatches", scanned.get("yaraMatches"));
		Findings fields = new Findings();
		fields.put("yaraMatches", scanned.get("yaraMatches"));
		document.put("verdict", verdicts.verdict(fields).name().toLowerCase());
		document.put("score", fields.get("score"));
		document.put("rulesetVersion", before.version());
		document.put("errors", List.of());
		document.put("analyzers", Map.of("hashes", "3", "yara", "libyara-4"));
		document.put("depth", 0);
		document.put("provenance", Map.of("hashes", 3, "yara", 3));
		String payload = JSON.writeValueAsString(document);
		events.append(List.of(new ResultEvent(ResultEvent.analysedId(BASE, sha(seed)), BASE, 70, sha(seed),
				EventKind.ANALYSED, Instant.parse("2026-12-05T01:00:00Z"), payload)));
		return payload;
	}

	private Path write(String name, String rules) throws IOException {
		Path folder = Files.createDirectories(workspace.resolve(name));
		Files.writeString(folder.resolve("main.yar"), rules);
		return folder;
	}

	private static Analyzer hashes() {
		return new Analyzer() {
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
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(String json) {
		return JSON.readValue(json, LinkedHashMap.class);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String sha(String seed) {
		return HashAnalyzer.sha256Hex(bytes(seed));
	}
}
