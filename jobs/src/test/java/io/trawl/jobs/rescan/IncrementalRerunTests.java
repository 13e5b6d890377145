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
import java.util.function.Consumer;

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
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.content.MimeTypeAnalyzer;
import io.trawl.worker.analysis.filetype.FileTypeAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * Analyzers that changed since a stored result run again on the sample, in this JVM with real analyzers and rules:
 * YARA's own version changed (it scans with the whole new ruleset, no delta), and the MIME type's changed (the file
 * type and YARA, which read it, run again with it). The reused result equals a full analysis field for field, and its
 * provenance names this job for the analyzers that ran and the base job for the others.
 */
class IncrementalRerunTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final long BASE = 7;
	private static final long JOB = 8;
	private static final String R1 = """
			rule Hello { strings: $h = "hello" condition: $h }
			rule Script { condition: filetype contains "sh" or filetype contains "text" }
			""";
	private static final String R2 = R1 + """
			rule Mz { meta: score = 40 condition: uint16(0) == 0x5A4D }
			""";

	@TempDir
	Path workspace;

	private final VerdictPolicy verdicts = VerdictPolicy.defaults();
	private final JdbcEventStore events;
	private final JdbcManifests manifests;
	private final DeltaRulesets deltas;
	private YaraRules before;
	private YaraRules after;

	IncrementalRerunTests() {
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
	void givenYarasVersionChangedAndNewRules_thenYaraAloneScansWithTheWholeRulesetAndTheResultIsAFullOnes()
			throws IOException {
		compile();
		byte[] pe = TestCorpus.pe32();
		store(pe, document -> version(document, "yara", "libyara-3"));

		Map<String, Object> reused = reused(pe);

		assertThat(reused).isEqualTo(full(pe, "yara"));
		assertThat(reused.get("yara")).asList().contains("Mz");
	}

	@Test
	void givenTheMimeTypesVersionChanged_thenItAndWhatReadsItRunAgainAndTheResultIsAFullOnes() throws IOException {
		compile();
		byte[] script = TestCorpus.shellScript().getBytes(StandardCharsets.UTF_8);
		store(script, document -> {
			version(document, "mimeType", "tika-0");
			document.put("mimeType", "application/x-an-old-guess"); // what the old version found, and so
			document.put("fileType", Map.of("description", "old")); // what its readers found from it
			document.put("yara", List.of());
			document.put("yaraMatches", List.of());
		});

		Map<String, Object> reused = reused(script);

		assertThat(reused).isEqualTo(full(script, "mimeType", "fileType", "yara"));
		assertThat(reused.get("yara")).asList().contains("Script");
	}

	@Test
	void givenACheapAnalyzerChangedOnly_thenTheRulesetIsNotScannedAgainWhenItDidNotChange() throws IOException {
		before = YaraRules.compile(write("r1", R1), 10);
		after = YaraRules.compile(write("r1-again", R1), 10);
		new CurrentFingerprints(manifests).of(before).orElseThrow();
		byte[] text = "hello there\n".getBytes(StandardCharsets.US_ASCII);
		store(text, document -> version(document, "entropy", "0"));

		Map<String, Object> reused = reused(text);

		assertThat(reused).isEqualTo(full(text, "entropy"));
	}

	/** The base job's rules (R1, their fingerprints stored) and this job's (R2). */
	private void compile() throws IOException {
		before = YaraRules.compile(write("r1", R1), 10);
		after = YaraRules.compile(write("r2", R2), 10);
		CurrentFingerprints fingerprints = new CurrentFingerprints(manifests);
		fingerprints.of(before).orElseThrow();
	}

	private List<Analyzer> pipeline(YaraRules rules) {
		return List.of(new HashAnalyzer(), new MimeTypeAnalyzer(), new FileTypeAnalyzer(), new EntropyAnalyzer(),
				new YaraAnalyzer(rules));
	}

	/** The content reused by an incremental step of this job, over its bytes. */
	private Map<String, Object> reused(byte[] content) {
		CurrentFingerprints fingerprints = new CurrentFingerprints(manifests);
		SampleAnalysis pipeline = new SampleAnalysis(pipeline(after), verdicts);
		Incremental incremental = new Incremental(new BaseResults(events, BASE), deltas, BASE, JOB, 80, pipeline,
				verdicts, after, fingerprints.of(after).orElseThrow(),
				delta -> new SampleAnalysis(List.of(new YaraAnalyzer(delta)), verdicts));
		Incremental.Reuse reuse = incremental.reusable(HashAnalyzer.sha256Hex(content), 0).orElseThrow();
		assertThat(reuse.needsRead()).isTrue();
		Analysed reused = incremental.reuse(reuse, Sample.ofBytes("sample", content)).orElseThrow();
		return map(reused.copied() != null ? reused.copied() : JSON.writeValueAsString(reused.document()));
	}

	/** A full analysis with this job's rules, as the base job would have stored it, with provenance. */
	private Map<String, Object> full(byte[] content, String... ranNow) {
		Map<String, Object> document = document(new SampleAnalysis(pipeline(after), verdicts)
			.analyse(Sample.ofBytes("sample", content)), BASE);
		@SuppressWarnings("unchecked")
		Map<String, Object> provenance = (Map<String, Object>) document.get("provenance");
		for (String analyzer : ranNow) {
			provenance.put(analyzer, (int) JOB);
		}
		return map(JSON.writeValueAsString(document));
	}

	/** Stores the base job's result of a content, a full analysis with its rules changed by {@code edit}. */
	private void store(byte[] content, Consumer<Map<String, Object>> edit) {
		Map<String, Object> document = document(new SampleAnalysis(pipeline(before), verdicts)
			.analyse(Sample.ofBytes("sample", content)), BASE);
		edit.accept(document);
		String sha256 = HashAnalyzer.sha256Hex(content);
		events.append(List.of(new ResultEvent(ResultEvent.analysedId(BASE, sha256), BASE, 70, sha256,
				EventKind.ANALYSED, Instant.parse("2026-12-05T01:00:00Z"), JSON.writeValueAsString(document))));
	}

	/** A result document as {@code AnalyseProcessor} writes one, every analyzer by {@code job}. */
	private static Map<String, Object> document(Findings findings, long job) {
		Map<String, Object> document = new LinkedHashMap<>(findings.fields());
		document.put("errors", findings.errors());
		document.put("analyzers", new LinkedHashMap<>(findings.analyzers()));
		document.put("depth", findings.depth());
		Map<String, Object> provenance = new LinkedHashMap<>();
		findings.analyzers().keySet().forEach(analyzer -> provenance.put(analyzer, (int) job));
		document.put("provenance", provenance);
		return document;
	}

	@SuppressWarnings("unchecked")
	private static void version(Map<String, Object> document, String analyzer, String version) {
		((Map<String, Object>) document.get("analyzers")).put(analyzer, version);
	}

	private Path write(String name, String rules) throws IOException {
		Path folder = Files.createDirectories(workspace.resolve(name));
		Files.writeString(folder.resolve("main.yar"), rules);
		return folder;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(String json) {
		return JSON.readValue(json, LinkedHashMap.class);
	}
}
