package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.trawl.readmodel.contract.EventStoreContract;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.JobDiff;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.ResultProjection;
import io.trawl.readmodel.query.SampleChange;
import io.trawl.readmodel.query.SampleView;

/**
 * On JDBC an analysis result's text is stored once ({@link JdbcDocuments}): its event, the same result reused by a
 * later job, and their job rows hold its digest, and every read gives back the exact text.
 */
class JdbcDocumentsTests {

	private static final Instant AT = Instant.parse("2026-12-06T00:00:00Z");

	/** A result as large as a real one (a few KB), ending with its closing brace as Jackson writes it. */
	private static String analysis(String sha256, String verdict) {
		return "{\"sha256\":\"" + sha256 + "\",\"strings\":\"" + "x".repeat(2_000) + "\",\"yara\":[\"R1\"],"
				+ "\"verdict\":\"" + verdict + "\",\"errors\":[]}";
	}

	/** The projection's row document: the analysis text, then its own fields (ResultProjection's order). */
	private static String projected(String analysis, long job, String location) {
		return analysis.substring(0, analysis.length() - 1) + ",\"sources\":[\"" + location + "\"],\"jobInstanceId\":"
				+ job + ",\"jobExecutionId\":" + job + ",\"analysedAt\":\"" + AT + "\"}";
	}

	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void aReusedResultsTextIsStoredOnceAndEveryReadGivesItBack(DataSource dataSource) {
		JdbcEventStore events = new JdbcEventStore(dataSource);
		JdbcQueryTables tables = new JdbcQueryTables(dataSource);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		long job = freshJob();
		String sha256 = EventStoreContract.sha("documents/" + job);
		String text = analysis(sha256, "malicious");
		String digest = JdbcDocuments.digest(text);
		String small = "{\"location\":\"a/b\"}";

		// given a result analysed by one job and reused by the next (the same text), with a small source event
		events.append(List.of(event(ResultEvent.analysedId(job, sha256), job, sha256, EventKind.ANALYSED, text),
				event(ResultEvent.sourceId(job, sha256, "0123456789abcdef"), job, sha256, EventKind.SOURCE, small)));
		events.append(List.of(event(ResultEvent.analysedId(job + 1, sha256), job + 1, sha256, EventKind.ANALYSED,
				text)));
		// and both jobs projected, the second under another location
		tables.putSamples(List.of(new SampleView(job, sha256, sha256, "malicious", AT, projected(text, job, "a/b"))));
		tables.putSamples(List.of(new SampleView(job + 1, sha256, sha256, "malicious", AT,
				projected(text, job + 1, "c/renamed"))));

		// then the text is stored once, and the events and rows hold its digest, not the text
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM trawl_document WHERE digest = ?", Integer.class, digest))
			.isEqualTo(1);
		assertThat(jdbc.queryForList("SELECT payload FROM trawl_event WHERE job_instance_id IN (?, ?) AND "
				+ "payload_digest = ?", String.class, job, job + 1, digest)).containsExactly("", "");
		assertThat(jdbc.queryForObject("SELECT payload FROM trawl_event WHERE job_instance_id = ? AND kind = 'SOURCE'",
				String.class, job)).isEqualTo(small);
		List<String> rows = jdbc.queryForList("SELECT document FROM trawl_job_sample WHERE job_instance_id IN (?, ?) "
				+ "AND document_digest = ? ORDER BY job_instance_id", String.class, job, job + 1, digest);
		assertThat(rows).hasSize(2).allSatisfy(own -> assertThat(own).startsWith(",\"sources\":").hasSizeLessThan(200));

		// and every read gives the exact texts back
		assertThat(events.find(job, sha256, EventKind.ANALYSED)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(text));
		assertThat(events.findAll(job + 1, List.of(sha256), EventKind.ANALYSED).get(sha256)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(text));
		List<String> streamed = new ArrayList<>();
		events.forEach(job, e -> streamed.add(e.payload()));
		events.forEachSlice(job + 1, 0, 1, e -> streamed.add(e.payload()));
		assertThat(streamed).containsExactlyInAnyOrder(text, small, text);
		assertThat(tables.page(job + 1, ResultFilter.NONE, null, 10)).singleElement()
			.satisfies(row -> assertThat(row.document()).isEqualTo(projected(text, job + 1, "c/renamed")));
		assertThat(tables.latest(sha256)).hasValueSatisfying(
				latest -> assertThat(latest.document()).isEqualTo(projected(text, job + 1, "c/renamed")));
	}

	/**
	 * What an incremental job does with a base's result: looks it up, then writes its text again, as it is or with
	 * its job fields patched. The text looked up is not hashed again (the store remembers its row); either way the
	 * rows are what a text never read before gives.
	 */
	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void aTextLookedUpAndWrittenAgainIsStoredAsAnyOther(DataSource dataSource) {
		JdbcEventStore events = new JdbcEventStore(dataSource);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		long job = freshJob();
		String sha256 = EventStoreContract.sha("again/" + job);
		String analysis = analysis(sha256, "clean");
		String head = analysis.substring(0, analysis.length() - 1);
		String text = head + ",\"provenance\":{\"yara\":" + job + "},\"rulesetVersion\":\"r1\"}";
		String patched = head + ",\"provenance\":{\"yara\":" + (job + 2) + "},\"rulesetVersion\":\"r2\"}";
		events.append(List.of(event(ResultEvent.analysedId(job, sha256), job, sha256, EventKind.ANALYSED, text)));

		String looked = events.findAll(job, List.of(sha256), EventKind.ANALYSED).get(sha256).get(0).payload();
		assertThat(events.append(List.of(event(ResultEvent.analysedId(job + 1, sha256), job + 1, sha256,
				EventKind.ANALYSED, looked)))).isEqualTo(1);
		assertThat(events.append(List.of(event(ResultEvent.analysedId(job + 2, sha256), job + 2, sha256,
				EventKind.ANALYSED, patched)))).isEqualTo(1);

		String shared = head + "}";
		assertThat(jdbc.queryForList("SELECT payload_digest FROM trawl_event WHERE job_instance_id IN (?, ?, ?) "
				+ "ORDER BY job_instance_id", String.class, job, job + 1, job + 2))
			.containsExactly(JdbcDocuments.digest(shared), JdbcDocuments.digest(shared), JdbcDocuments.digest(shared));
		assertThat(jdbc.queryForObject("SELECT body FROM trawl_document WHERE digest = ?", String.class,
				JdbcDocuments.digest(shared))).isEqualTo(shared);
		assertThat(events.find(job + 1, sha256, EventKind.ANALYSED)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(text));
		assertThat(events.find(job + 2, sha256, EventKind.ANALYSED)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(patched));
	}

	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void rowsWrittenBeforeHoldTheirOwnTextAndOddDocumentsSplitExactly(DataSource dataSource) {
		JdbcEventStore events = new JdbcEventStore(dataSource);
		JdbcQueryTables tables = new JdbcQueryTables(dataSource);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		long job = freshJob();
		String sha256 = EventStoreContract.sha("legacy/" + job);
		String text = analysis(sha256, "clean");

		// an event and a row as written before documents were stored once: their own text, no digest
		jdbc.update("INSERT INTO trawl_event (event_id, job_instance_id, job_execution_id, sample_key, kind, "
				+ "recorded_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)", ResultEvent.analysedId(job, sha256), job, job,
				sha256, "ANALYSED", Timestamp.from(AT), text);
		jdbc.update("INSERT INTO trawl_job_sample (job_instance_id, sample_key, sha256, verdict, analysed_at, "
				+ "document) VALUES (?, ?, ?, ?, ?, ?)", job, sha256, sha256, "clean", Timestamp.from(AT),
				projected(text, job, "old"));
		assertThat(events.find(job, sha256, EventKind.ANALYSED)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(text));
		assertThat(tables.page(job, ResultFilter.NONE, null, 10)).singleElement()
			.satisfies(row -> assertThat(row.document()).isEqualTo(projected(text, job, "old")));

		// documents the projection did not write as usual: a "sources" key inside the analysis, none at all, a tree
		String nested = "{\"pe\":{\"x\":1,\"sources\":[\"inner\"]},\"pad\":\"" + "y".repeat(1_000) + "\"}";
		String whole = "{\"pad\":\"" + "z".repeat(1_000) + "\"}";
		String rewritten = "{\"sources\":[\"first\"],\"pad\":\"" + "w".repeat(1_000) + "\",\"jobInstanceId\":1}";
		Map<String, String> documents = Map.of(EventStoreContract.sha("n" + job), projected(nested, job, "n"),
				EventStoreContract.sha("w" + job), whole, EventStoreContract.sha("r" + job), rewritten);
		documents.forEach((key, document) -> tables.putSamples(
				List.of(new SampleView(job + 1, key, key, "clean", AT, document))));
		assertThat(tables.page(job + 1, ResultFilter.NONE, null, 10)).hasSize(3)
			.allSatisfy(row -> assertThat(row.document()).isEqualTo(documents.get(row.sampleKey())));
	}

	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void aDiffComparesStoredAnalysesByKeyAndReadsTheOthers(DataSource dataSource) {
		JdbcQueryTables tables = new JdbcQueryTables(dataSource);
		long base = freshJob();
		long job = base + 1;
		String same = EventStoreContract.sha("same/" + base);
		String rewritten = EventStoreContract.sha("rewritten/" + base);
		String changed = EventStoreContract.sha("changed/" + base);
		String gone = EventStoreContract.sha("gone/" + base);
		String added = EventStoreContract.sha("added/" + base);
		String sameText = analysis(same, "malicious");
		// given a base job and a job: one result reused as it was, one whose text changed but not its rules (a new
		// ruleset version), one that lost its rule, one gone and one new
		tables.putSamples(List.of(row(base, same, "malicious", projected(sameText, base, "a")),
				row(base, rewritten, "malicious", projected(analysis(rewritten, "malicious"), base, "b")),
				row(base, changed, "malicious", projected(analysis(changed, "malicious"), base, "c")),
				row(base, gone, "clean", projected(analysis(gone, "clean"), base, "d"))));
		tables.putSamples(List.of(row(job, same, "malicious", projected(sameText, job, "a/renamed")),
				row(job, rewritten, "malicious",
						projected(analysis(rewritten, "malicious").replace("\"errors\"", "\"rulesetVersion\":\"v2\",\"errors\""), job, "b")),
				row(job, changed, "clean", projected(analysis(changed, "clean").replace("[\"R1\"]", "[]"), job, "c")),
				row(job, added, "clean", projected(analysis(added, "clean"), job, "e"))));

		// then the reused one is compared by its key, and the counts and changes are what the documents say
		assertThat(tables.diffPage(base, null, 10)).filteredOn(r -> r.sampleKey().equals(same)).singleElement()
			.satisfies(r -> assertThat(r.analysisKey()).isEqualTo(JdbcDocuments.digest(sameText)));
		assertThat(tables.diffPage(job, null, 10)).hasSize(4).allSatisfy(r -> assertThat(r.document().get())
			.isEqualTo(tables.page(job, ResultFilter.NONE, null, 10).stream()
				.filter(v -> v.sampleKey().equals(r.sampleKey())).findFirst().orElseThrow().document()));
		DiffCounts counts = new JobDiff(tables).counts(base, base, job);
		assertThat(List.of(counts.added(), counts.gone(), counts.changed(), counts.unchanged()))
			.containsExactly(1L, 1L, 1L, 2L);
		List<SampleChange> changes = new ArrayList<>();
		new JobDiff(tables).changes(base, job, null, changes::add);
		assertThat(changes).extracting(SampleChange::sampleKey).containsExactlyInAnyOrder(changed, gone, added);
		assertThat(changes).filteredOn(c -> c.sampleKey().equals(changed)).singleElement()
			.satisfies(c -> assertThat(c.rulesLost()).containsExactly("R1"));
	}

	/** A result as the analysis writes it: the fields that name jobs last, here a job and a ruleset version. */
	private static String withJobFields(String analysis, long yaraJob, String rulesetVersion) {
		return analysis.substring(0, analysis.length() - 1) + ",\"provenance\":{\"hashes\":7,\"yara\":" + yaraJob
				+ "},\"rulesetVersion\":\"" + rulesetVersion + "\"}";
	}

	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void aResultReusedUnderNewRulesKeepsOneTextAndOnlyItsJobFieldsAreWrittenAgain(DataSource dataSource) {
		JdbcEventStore events = new JdbcEventStore(dataSource);
		JdbcQueryTables tables = new JdbcQueryTables(dataSource);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		long job = freshJob();
		String sha256 = EventStoreContract.sha("rules-night/" + job);
		String analysis = analysis(sha256, "malicious");
		String first = withJobFields(analysis, job, "v1");
		String second = withJobFields(analysis, job + 1, "v2");
		String shared = JdbcDocuments.digest(analysis);

		// given a result analysed by one job, and reused by the next under a new ruleset whose delta YARA scanned
		events.append(List.of(event(ResultEvent.analysedId(job, sha256), job, sha256, EventKind.ANALYSED, first)));
		events.append(List.of(event(ResultEvent.analysedId(job + 1, sha256), job + 1, sha256, EventKind.ANALYSED,
				second)));
		tables.putSamples(List.of(row(job, sha256, "malicious", projected(first, job, "a"))));
		tables.putSamples(List.of(row(job + 1, sha256, "malicious", projected(second, job + 1, "a"))));

		// then the analysis up to its job fields is stored once, and each event and row keeps only its own fields
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM trawl_document WHERE digest = ?", Integer.class, shared))
			.isEqualTo(1);
		assertThat(jdbc.queryForList("SELECT payload FROM trawl_event WHERE job_instance_id IN (?, ?) AND "
				+ "payload_digest = ? ORDER BY job_instance_id", String.class, job, job + 1, shared))
			.containsExactly(first.substring(analysis.length() - 1), second.substring(analysis.length() - 1));
		assertThat(jdbc.queryForList("SELECT document FROM trawl_job_sample WHERE job_instance_id IN (?, ?) AND "
				+ "document_digest = ?", String.class, job, job + 1, shared))
			.hasSize(2).allSatisfy(own -> assertThat(own).startsWith(",\"provenance\":").hasSizeLessThan(300));

		// and every read gives the exact texts back
		assertThat(events.find(job, sha256, EventKind.ANALYSED)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(first));
		assertThat(events.findAll(job + 1, List.of(sha256), EventKind.ANALYSED).get(sha256)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(second));
		List<String> streamed = new ArrayList<>();
		events.forEach(job, e -> streamed.add(e.payload()));
		events.forEachSlice(job + 1, 0, 1, e -> streamed.add(e.payload()));
		assertThat(streamed).containsExactly(first, second);
		assertThat(tables.page(job + 1, ResultFilter.NONE, null, 10)).singleElement()
			.satisfies(r -> assertThat(r.document()).isEqualTo(projected(second, job + 1, "a")));
		assertThat(tables.latest(sha256)).hasValueSatisfying(
				latest -> assertThat(latest.document()).isEqualTo(projected(second, job + 1, "a")));

		// and the diff sees one analysis by its key: unchanged
		assertThat(tables.diffPage(job + 1, null, 10)).singleElement()
			.satisfies(r -> assertThat(r.analysisKey()).isEqualTo(shared));
		DiffCounts counts = new JobDiff(tables).counts(job, job, job + 1);
		assertThat(List.of(counts.added(), counts.gone(), counts.changed(), counts.unchanged()))
			.containsExactly(0L, 0L, 0L, 1L);
	}

	@Test
	void aTextIsCutAtItsJobFieldsOnlyWhenNothingThatDecidesADiffFollowsThem() {
		String analysis = analysis(EventStoreContract.sha("cut"), "clean");
		String usual = withJobFields(analysis, 3, "v1");
		assertThat(ResultProjection.jobFieldsAt(usual)).isEqualTo(analysis.length() - 1);
		assertThat(JdbcDocuments.joined(JdbcDocuments.shared(usual, analysis.length() - 1),
				usual.substring(analysis.length() - 1))).isEqualTo(usual);
		// YARA's fields or the verdict after the provenance (an older order, or a rule's meta named so): not cut there
		assertThat(ResultProjection.jobFieldsAt("{\"a\":1,\"provenance\":{},\"yara\":[\"R\"]}")).isEqualTo(-1);
		assertThat(ResultProjection.jobFieldsAt("{\"a\":1,\"provenance\":{},\"yaraMatches\":[]}")).isEqualTo(-1);
		assertThat(ResultProjection.jobFieldsAt("{\"a\":1,\"provenance\":{\"yara\":2},\"x\":{\"yara\":[]}}")).isEqualTo(-1);
		assertThat(ResultProjection.jobFieldsAt("{\"a\":1,\"provenance\":{},\"verdict\":\"clean\"}")).isEqualTo(-1);
		assertThat(ResultProjection.jobFieldsAt("{\"provenance\":{\"x\":1}}")).isEqualTo(-1);
		assertThat(ResultProjection.jobFieldsAt("{\"a\":\"no job fields\"}")).isEqualTo(-1);
	}

	/** A data folder of an earlier Trawl: its tables as they were made then, without the digests or the documents. */
	@Test
	void aDatabaseMadeBeforeDocumentsWereStoredOnceIsUpgradedInPlace() {
		DataSource old = new DriverManagerDataSource(
				"jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
		JdbcTemplate jdbc = new JdbcTemplate(old);
		jdbc.execute("CREATE TABLE trawl_event (event_id VARCHAR(400) PRIMARY KEY, job_instance_id BIGINT NOT NULL, "
				+ "job_execution_id BIGINT NOT NULL, sample_key VARCHAR(100) NOT NULL, kind VARCHAR(20) NOT NULL, "
				+ "recorded_at TIMESTAMP WITH TIME ZONE NOT NULL, payload TEXT NOT NULL)");
		jdbc.execute("CREATE TABLE trawl_job_sample (job_instance_id BIGINT NOT NULL, sample_key VARCHAR(100) NOT NULL, "
				+ "sha256 VARCHAR(64), verdict VARCHAR(20) NOT NULL, analysed_at TIMESTAMP WITH TIME ZONE NOT NULL, "
				+ "document TEXT NOT NULL, PRIMARY KEY (job_instance_id, sample_key))");
		String sha256 = EventStoreContract.sha("old");
		String text = analysis(sha256, "clean");
		jdbc.update("INSERT INTO trawl_event VALUES (?, 1, 1, ?, 'ANALYSED', ?, ?)", ResultEvent.analysedId(1, sha256),
				sha256, Timestamp.from(AT), text);
		jdbc.update("INSERT INTO trawl_job_sample VALUES (1, ?, ?, 'clean', ?, ?)", sha256, sha256, Timestamp.from(AT),
				projected(text, 1, "old"));

		// opened by this Trawl: the old rows read as they were, and a new job that reuses the result stores it once
		JdbcEventStore events = new JdbcEventStore(old);
		JdbcQueryTables tables = new JdbcQueryTables(old);
		assertThat(events.find(1, sha256, EventKind.ANALYSED)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(text));
		ResultEvent reused = event(ResultEvent.analysedId(2, sha256), 2, sha256, EventKind.ANALYSED, text);
		assertThat(events.append(List.of(reused))).isEqualTo(1);
		assertThat(events.append(List.of(reused, reused))).isZero(); // a chunk run again: its key is the event id's
		tables.putSamples(List.of(row(2, sha256, "clean", projected(text, 2, "old"))));
		assertThat(events.find(2, sha256, EventKind.ANALYSED)).singleElement()
			.satisfies(e -> assertThat(e.payload()).isEqualTo(text));
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM trawl_document", Integer.class)).isEqualTo(1);
		DiffCounts counts = new JobDiff(tables).counts(1, 1, 2);
		assertThat(List.of(counts.added(), counts.gone(), counts.changed(), counts.unchanged()))
			.containsExactly(0L, 0L, 0L, 1L);
		assertThat(tables.page(2, ResultFilter.NONE, null, 10)).singleElement()
			.satisfies(r -> assertThat(r.document()).isEqualTo(projected(text, 2, "old")));
	}

	/**
	 * A job instance id (and the next one) that no other test, this run or an earlier one, is likely to have used in
	 * the shared PostgreSQL database: far above the other tests' ranges, drawn at random.
	 */
	private static long freshJob() {
		return ThreadLocalRandom.current().nextLong(1_000_000_000L, 2_000_000_000L);
	}

	private static SampleView row(long job, String sha256, String verdict, String document) {
		return new SampleView(job, sha256, sha256, verdict, AT, document);
	}

	private static ResultEvent event(String id, long job, String key, EventKind kind, String payload) {
		return new ResultEvent(id, job, job, key, kind, AT, payload);
	}
}
