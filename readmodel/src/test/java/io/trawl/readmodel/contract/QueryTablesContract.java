package io.trawl.readmodel.contract;

import static io.trawl.readmodel.contract.EventStoreContract.sha;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultProjection;
import io.trawl.readmodel.query.SampleView;

/** What every {@link QueryTables} adapter must do, driven through the projection from a real event store. */
public abstract class QueryTablesContract {

	protected EventStore events;
	protected QueryTables tables;
	protected long job;

	protected abstract EventStore newEventStore() throws Exception;

	protected abstract QueryTables newQueryTables() throws Exception;

	@BeforeEach
	void givenFreshTables() throws Exception {
		events = newEventStore();
		tables = newQueryTables();
		job = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 4);
	}

	@Test
	void projectionMergesSourcesAndCountsTheJob() {
		events.append(List.of(
				analysed(job, sha("a"), "malicious", List.of("Evil", "Packed"), 0),
				EventStoreContract.source(job, sha("a"), "x/a.exe"),
				EventStoreContract.source(job, sha("a"), "y/copy-of-a.exe"),
				analysed(job, sha("b"), "clean", List.of(), 1),
				EventStoreContract.source(job, sha("b"), "b.txt"),
				failed(job, "locked.bin")));

		JobSummary summary = new ResultProjection(events, tables).project(job);

		assertThat(summary.samples()).isEqualTo(3);
		assertThat(summary.files()).isEqualTo(4);
		assertThat(summary.resultEvents()).isEqualTo(3);
		assertThat(summary.errors()).isEqualTo(2);
		assertThat(summary.verdicts()).containsEntry("malicious", 1L).containsEntry("clean", 1L)
			.containsEntry("error", 1L);
		assertThat(summary.ruleHits()).isEqualTo(Map.of("Evil", 1L, "Packed", 1L));
		assertThat(tables.summary(job)).hasValueSatisfying(stored -> {
			assertThat(stored.samples()).isEqualTo(3);
			assertThat(stored.ruleHits()).isEqualTo(summary.ruleHits());
		});
		List<SampleView> rows = rows(job);
		assertThat(rows).hasSize(3);
		SampleView a = rows.stream().filter(r -> sha("a").equals(r.sha256())).findFirst().orElseThrow();
		assertThat(a.document()).contains("\"sources\":[\"x/a.exe\",\"y/copy-of-a.exe\"]");
		assertThat(a.verdict()).isEqualTo("malicious");
		assertThat(tables.ruleHits(job, "Evil")).containsExactly(sha("a"));
		assertThat(rows.stream().filter(r -> r.sha256() == null).findFirst().orElseThrow().document())
			.contains("locked.bin");
	}

	@Test
	void attemptMarkersAreNeitherResultsNorCounted() {
		String poison = ResultEvent.locationKey("d/poison.bin");
		String fine = ResultEvent.locationKey("d/fine.bin");
		events.append(List.of(analysed(job, sha("a"), "clean", List.of(), 0),
				EventStoreContract.source(job, sha("a"), "d/fine.bin"),
				EventStoreContract.attempt(job, fine, "8.2.1", false), EventStoreContract.attempt(job, fine, "8.2.1", true),
				EventStoreContract.attempt(job, poison, "8.2.1", false),
				EventStoreContract.attempt(job, poison, "9.2.2", false), failed(job, "d/poison.bin")));

		JobSummary summary = new ResultProjection(events, tables).project(job);

		assertThat(summary.samples()).isEqualTo(2);
		assertThat(summary.files()).isEqualTo(2);
		assertThat(summary.resultEvents()).isEqualTo(2);
		List<SampleView> rows = new ArrayList<>();
		tables.forEachSample(job, rows::add);
		assertThat(rows).extracting(SampleView::sampleKey).containsExactlyInAnyOrder(sha("a"), poison);
		assertThat(rows).allSatisfy(row -> assertThat(row.document()).doesNotContain("attempt"));
	}

	@Test
	void projectingTwiceGivesTheSameTables() {
		events.append(List.of(analysed(job, sha("a"), "clean", List.of(), 0),
				EventStoreContract.source(job, sha("a"), "a")));
		ResultProjection projection = new ResultProjection(events, tables);

		JobSummary first = projection.project(job);
		List<SampleView> rowsAfterFirst = rows(job);
		JobSummary second = projection.project(job);

		assertThat(rows(job)).isEqualTo(rowsAfterFirst);
		assertThat(second.samples()).isEqualTo(first.samples());
		assertThat(second.resultEvents()).isEqualTo(first.resultEvents());
	}

	@Test
	void latestKeepsTheNewestJobWhateverTheOrderOfProjection() {
		long older = job;
		long newer = job + 1;
		String sample = sha("latest-" + job); // other tests share the database; this sample is this test's alone
		events.append(List.of(analysed(older, sample, "clean", List.of(), 0),
				analysed(newer, sample, "malicious", List.of("NewRule"), 0)));
		ResultProjection projection = new ResultProjection(events, tables);

		projection.project(newer);
		projection.project(older);

		assertThat(tables.latest(sample)).hasValueSatisfying(latest -> {
			assertThat(latest.jobInstanceId()).isEqualTo(newer);
			assertThat(latest.verdict()).isEqualTo("malicious");
		});
		assertThat(tables.latest(sha("never-seen"))).isEmpty();
	}

	@Test
	void summaryOfAnUnknownJobIsEmpty() {
		assertThat(tables.summary(job)).isEmpty();
		assertThat(rows(job)).isEmpty();
	}

	protected List<SampleView> rows(long jobInstanceId) {
		List<SampleView> rows = new ArrayList<>();
		tables.forEachSample(jobInstanceId, rows::add);
		return rows;
	}

	static ResultEvent analysed(long job, String sha256, String verdict, List<String> rules, int errors) {
		String yara = rules.stream().map(r -> "\"" + r + "\"").reduce((a, b) -> a + "," + b).orElse("");
		String errorList = errors == 0 ? "" : "{\"analyzer\":\"pe\",\"message\":\"truncated header\"}";
		return new ResultEvent(ResultEvent.analysedId(job, sha256), job, 100, sha256, EventKind.ANALYSED,
				Instant.parse("2026-11-25T00:00:00Z").plusSeconds(job % 1000),
				"{\"sha256\":\"" + sha256 + "\",\"verdict\":\"" + verdict + "\",\"yara\":[" + yara + "],\"errors\":["
						+ errorList + "]}");
	}

	static ResultEvent failed(long job, String location) {
		String key = ResultEvent.UNREADABLE_PREFIX + sha(location);
		return new ResultEvent(ResultEvent.failedId(job, key), job, 100, key, EventKind.FAILED,
				Instant.parse("2026-11-25T00:00:00Z"), "{\"sha256\":null,\"location\":\"" + location
						+ "\",\"verdict\":\"error\",\"errors\":[{\"analyzer\":\"read\",\"message\":\"denied\"}]}");
	}
}
