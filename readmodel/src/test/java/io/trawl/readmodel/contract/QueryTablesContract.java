package io.trawl.readmodel.contract;

import static io.trawl.readmodel.contract.EventStoreContract.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.JobDiff;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.ResultProjection;
import io.trawl.readmodel.query.RuleHistory;
import io.trawl.readmodel.query.SampleChange;
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
	void projectionOnEightThreadsWritesWhatOneThreadWrites() {
		// given a job over every shard (rule hits, errors, archive members, failed samples, attempt markers), and an
		// older job sharing a third of its samples, so that their newest-result rows are contested
		long older = job;
		long newer = job + 1;
		String ruleA = "ParA_" + job;
		String ruleB = "ParB_" + job;
		List<String> shas = new ArrayList<>();
		List<ResultEvent> appended = new ArrayList<>();
		for (int i = 0; i < 240; i++) {
			String sample = sha("parallel-" + job + "-" + i);
			shas.add(sample);
			List<String> rules = i % 7 == 0 ? List.of(ruleA, ruleB) : i % 5 == 0 ? List.of(ruleB) : List.of();
			appended.add(analysed(newer, sample, rules.isEmpty() ? "clean" : "malicious", rules, i % 11 == 0 ? 1 : 0));
			appended.add(EventStoreContract.source(newer, sample, "p/" + i));
			if (i % 4 == 0) {
				appended.add(EventStoreContract.source(newer, sample, "q/copy-" + i));
			}
			if (i % 9 == 0) {
				appended.add(member(newer, sample, shas.get(0), "inner/" + i));
			}
			if (i % 3 == 0) {
				appended.add(analysed(older, sample, "suspicious", List.of(ruleA), 0));
				appended.add(EventStoreContract.source(older, sample, "p/" + i));
			}
		}
		for (int i = 0; i < 4; i++) {
			appended.add(failed(newer, "p/locked-" + i));
			appended.add(EventStoreContract.attempt(newer, ResultEvent.locationKey("p/locked-" + i), "8.2.1", false));
		}
		events.append(appended);

		// when both jobs are projected on one thread, newest first, the tables read, cleared, and projected again
		// on eight threads
		List<Object> one = projectedTables(new ResultProjection(events, tables, 1), newer, older, shas, ruleA, ruleB);
		tables.clear();
		List<Object> eight = projectedTables(new ResultProjection(events, tables, 8), newer, older, shas, ruleA, ruleB);

		// then every table holds the same rows
		assertThat(eight).isEqualTo(one);
		assertThat(rows(newer)).hasSize(244);
		assertThat(tables.latest(shas.get(0))).hasValueSatisfying(row -> assertThat(row.jobInstanceId()).isEqualTo(newer));
		assertThat(tables.summary(newer)).hasValueSatisfying(summary -> {
			assertThat(summary.samples()).isEqualTo(244);
			assertThat(summary.resultEvents()).isEqualTo(244);
			assertThat(summary.files()).isEqualTo(240 + 60 + 4);
			assertThat(summary.verdicts()).containsEntry("error", 4L);
		});
	}

	/** Projects the jobs in turn and reads back every row they wrote, the summaries without their time. */
	private List<Object> projectedTables(ResultProjection projection, long newer, long older, List<String> shas,
			String... rules) {
		List<Object> summaries = new ArrayList<>();
		for (long projected : List.of(newer, older)) {
			JobSummary summary = projection.project(projected);
			summaries.add(List.of(summary.samples(), summary.files(), summary.resultEvents(), summary.errors(),
					summary.verdicts(), summary.ruleHits()));
		}
		List<Object> read = new ArrayList<>(summaries);
		for (long projected : List.of(newer, older)) {
			read.add(rows(projected));
			JobSummary stored = tables.summary(projected).orElseThrow();
			read.add(List.of(stored.samples(), stored.files(), stored.resultEvents(), stored.errors(),
					stored.verdicts(), stored.ruleHits(), String.valueOf(stored.diff())));
			for (String rule : rules) {
				read.add(tables.ruleHits(projected, rule).stream().sorted().toList());
			}
		}
		shas.forEach(sample -> read.add(tables.latest(sample).orElseThrow()));
		read.add(tables.ruleHistory().stream().filter(r -> List.of(rules).contains(r.rule())).toList());
		return read;
	}

	/** A SOURCE event of an archive member: the sample found at {@code path} inside the sample {@code parent}. */
	private static ResultEvent member(long job, String sha256, String parent, String path) {
		return new ResultEvent(ResultEvent.sourceId(job, sha256, sha(parent + path).substring(0, 16)), job, 100,
				sha256, EventKind.SOURCE, Instant.parse("2026-11-25T00:00:00Z"),
				"{\"parent\":\"" + parent + "\",\"path\":\"" + path + "\"}");
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
	void pagesFollowTheSampleKeyOrderWithACursorAndTheirFiltersCombine() {
		// given 40 readable samples (every third malicious and matching a rule) and 3 unreadable ones
		List<SampleView> samples = new ArrayList<>();
		List<String> hits = new ArrayList<>();
		Instant at = Instant.parse("2026-12-04T00:00:00Z");
		for (int i = 0; i < 40; i++) {
			String sha = sha("page-" + i);
			String verdict = i % 3 == 0 ? "malicious" : "clean";
			if (i % 3 == 0) {
				hits.add(sha);
			}
			samples.add(new SampleView(job, sha, sha, verdict, at, "{\"sha256\":\"" + sha + "\"}"));
		}
		for (int i = 0; i < 3; i++) {
			String key = "!" + sha("unreadable-" + i);
			samples.add(new SampleView(job, key, null, "error", at, "{\"sha256\":null}"));
		}
		tables.putSamples(samples);
		tables.putRuleHits(job, "Evil", hits);
		List<String> all = rows(job).stream().map(SampleView::sampleKey).toList();

		// when every page of 7 is read through its cursor
		List<String> paged = new ArrayList<>();
		String after = null;
		int pages = 0;
		while (true) {
			List<SampleView> page = tables.page(job, ResultFilter.NONE, after, 7);
			assertThat(page.size()).isLessThanOrEqualTo(7);
			page.forEach(v -> paged.add(v.sampleKey()));
			pages++;
			if (page.size() < 7) {
				break;
			}
			after = page.get(page.size() - 1).sampleKey();
		}

		// then the pages hold every sample once, in the order of a full read
		assertThat(all).hasSize(43);
		assertThat(paged).isEqualTo(all);
		assertThat(pages).isEqualTo(7);
		// and filters select, alone and together, across pages
		assertThat(readAll(new ResultFilter("malicious", null, null), 4)).extracting(SampleView::sha256)
			.containsExactlyInAnyOrderElementsOf(hits);
		assertThat(readAll(new ResultFilter("error", null, null), 2)).hasSize(3);
		assertThat(readAll(new ResultFilter(null, "Evil", null), 5)).extracting(SampleView::sha256)
			.containsExactlyElementsOf(hits.stream().sorted().toList());
		assertThat(readAll(new ResultFilter("clean", "Evil", null), 5)).isEmpty();
		assertThat(readAll(new ResultFilter(null, "NoSuchRule", null), 5)).isEmpty();
		String prefix = hits.get(0).substring(0, 1);
		assertThat(readAll(new ResultFilter(null, null, prefix), 3)).extracting(SampleView::sha256)
			.isNotEmpty()
			.allMatch(sha -> sha.startsWith(prefix))
			.hasSize((int) samples.stream().filter(v -> v.sha256() != null && v.sha256().startsWith(prefix)).count());
		assertThat(readAll(new ResultFilter("malicious", "Evil", hits.get(1).substring(0, 3)), 1))
			.extracting(SampleView::sha256).contains(hits.get(1));
		assertThat(tables.page(job, ResultFilter.NONE, all.get(all.size() - 1), 10)).isEmpty();
	}

	private List<SampleView> readAll(ResultFilter filter, int pageSize) {
		List<SampleView> rows = new ArrayList<>();
		String after = null;
		for (int guard = 0; guard < 100; guard++) {
			List<SampleView> page = tables.page(job, filter, after, pageSize);
			rows.addAll(page);
			if (page.size() < pageSize) {
				return rows;
			}
			after = page.get(page.size() - 1).sampleKey();
		}
		throw new AssertionError("paging did not end");
	}

	@Test
	void clearEmptiesEveryQueryTableAndKeepsTheEvents() {
		String sample = sha("cleared-" + job);
		events.append(List.of(analysed(job, sample, "malicious", List.of("Evil"), 0),
				EventStoreContract.source(job, sample, "c/evil.exe"), failed(job, "c/locked.bin")));
		ResultProjection projection = new ResultProjection(events, tables);
		projection.project(job);
		List<SampleView> before = rows(job);

		tables.clear();

		assertThat(rows(job)).isEmpty();
		assertThat(tables.latest(sample)).isEmpty();
		assertThat(tables.ruleHits(job, "Evil")).isEmpty();
		assertThat(tables.summary(job)).isEmpty();
		assertThat(tables.ruleHistory()).isEmpty();
		// and the events rebuild them as they were
		assertThat(projection.project(job).samples()).isEqualTo(2);
		assertThat(rows(job)).isEqualTo(before);
		assertThat(tables.latest(sample)).isPresent();
		assertThat(tables.ruleHits(job, "Evil")).containsExactly(sample);
	}

	@Test
	void diffJoinsTwoJobsByContentAndCountsFirst() {
		// given a base job and a job over the same source: one sample each side only, one changed, one the same
		long base = job;
		long next = job + 1;
		String unreadable = "!" + sha("locked-" + job);
		tables.putSamples(List.of(row(base, sha("kept"), "clean", List.of(), "k"),
				row(base, sha("gone"), "malicious", List.of("Old"), "g"),
				row(base, sha("changed"), "malicious", List.of("Kept", "Old"), "c"),
				row(base, unreadable, "error", List.of(), "locked")));
		tables.putSamples(List.of(row(next, sha("kept"), "clean", List.of(), "k"),
				row(next, sha("new"), "malicious", List.of("New"), "n"),
				row(next, sha("changed"), "malicious", List.of("Kept", "New"), "c2"),
				row(next, unreadable, "error", List.of(), "locked")));
		JobDiff diff = new JobDiff(tables);

		// when they are compared
		DiffCounts counts = diff.counts(7, base, next);
		List<SampleChange> changes = new ArrayList<>();
		diff.changes(base, next, null, changes::add);

		// then the counts and the changes say exactly what differs, in sample-key order
		assertThat(counts).isEqualTo(new DiffCounts(7, base, 1, 1, 1, 2));
		assertThat(changes).extracting(SampleChange::sampleKey)
			.containsExactlyElementsOf(List.of(sha("new"), sha("gone"), sha("changed")).stream().sorted().toList());
		SampleChange changed = changes.stream().filter(c -> c.change().equals("changed")).findFirst().orElseThrow();
		assertThat(changed).isEqualTo(new SampleChange("changed", sha("changed"), sha("changed"), List.of("c2"),
				"malicious", "malicious", List.of("New"), List.of("Old")));
		assertThat(changes).filteredOn(c -> c.change().equals("new")).singleElement()
			.isEqualTo(new SampleChange("new", sha("new"), sha("new"), List.of("n"), null, "malicious",
					List.of("New"), List.of()));
		assertThat(changes).filteredOn(c -> c.change().equals("gone")).singleElement()
			.isEqualTo(new SampleChange("gone", sha("gone"), sha("gone"), List.of("g"), "malicious", null,
					List.of(), List.of("Old")));
		// and a page after a cursor, cut short by the caller, resumes in order
		List<SampleChange> afterFirst = new ArrayList<>();
		diff.changes(base, next, changes.get(0).sampleKey(), change -> afterFirst.add(change) && false);
		assertThat(afterFirst).containsExactly(changes.get(1));
		assertThat(diff.counts(7, base, base)).isEqualTo(new DiffCounts(7, base, 0, 0, 0, 4));
	}

	@Test
	void diffOnSeveralSlicesCountsWhatOneSliceCounts() {
		// given two jobs over 400 samples in every shard and 12 unreadable locations: each sample only in the base,
		// only in the job, changed (verdict or rules) or the same, in turn
		long base = job;
		long next = job + 1;
		List<SampleView> before = new ArrayList<>();
		List<SampleView> after = new ArrayList<>();
		long[] expected = new long[4];
		for (int i = 0; i < 412; i++) {
			String key = i < 12 ? "!" + sha("locked-" + job + "-" + i) : sha("spread-" + i);
			int kind = (i * 7) % 4; // 0 new, 1 gone, 2 changed, 3 the same
			expected[kind]++;
			if (kind != 0) {
				before.add(row(base, key, "malicious", List.of("Rule" + (i % 5)), "b" + i));
			}
			if (kind != 1) {
				after.add(row(next, key, "malicious", List.of(kind == 2 ? "Other" : "Rule" + (i % 5)), "a" + i));
			}
		}
		tables.putSamples(before);
		tables.putSamples(after);
		JobDiff diff = new JobDiff(tables);

		// when they are compared on 1, 3, 8 and 32 slices, then every count is the same and the one expected
		DiffCounts whole = new DiffCounts(7, base, expected[0], expected[1], expected[2], expected[3]);
		for (int slices : new int[] { 1, 3, 8, 32 }) { // 32 at most: each slice holds a connection of its own
			assertThat(diff.counts(7, base, next, slices)).as("%d slices", slices).isEqualTo(whole);
		}
		assertThatThrownBy(() -> diff.counts(7, base, next, 0)).hasMessage("The diff runs on 1 to 256 slices, not 0.");
	}

	@Test
	void ruleHistoryKeepsEachRulesHitsPerJob() {
		// given two projected jobs; the rule names are this test's own, as PostgreSQL's tables outlive a test
		String kept = "Kept_" + job;
		String dropped = "Dropped_" + job;
		events.append(List.of(analysed(job, sha("a"), "malicious", List.of(kept, dropped), 0),
				analysed(job, sha("b"), "clean", List.of(), 0),
				analysed(job + 1, sha("a"), "malicious", List.of(kept), 0),
				analysed(job + 1, sha("c"), "malicious", List.of(kept), 0)));
		ResultProjection projection = new ResultProjection(events, tables);
		projection.project(job + 1);
		projection.project(job);
		projection.project(job); // projecting again replaces, never adds

		// when the history is read
		List<RuleHistory> history = tables.ruleHistory().stream()
			.filter(rule -> rule.rule().endsWith("_" + job)).toList();

		// then each rule has one entry per job it hit, oldest first
		assertThat(history).extracting(RuleHistory::rule).containsExactly(dropped, kept);
		assertThat(history.get(0).jobs()).containsExactly(new RuleHistory.JobHits(job, 1, 2));
		assertThat(history.get(1).jobs()).containsExactly(new RuleHistory.JobHits(job, 1, 2),
				new RuleHistory.JobHits(job + 1, 2, 2));
		assertThat(history.get(1).last().noisy(0.5)).isTrue();
		assertThat(history.get(1).first().noisy(0.5)).isFalse();
	}

	private static SampleView row(long job, String key, String verdict, List<String> rules, String location) {
		String yara = rules.stream().map(r -> "\"" + r + "\"").reduce((a, b) -> a + "," + b).orElse("");
		String sha = key.startsWith("!") ? null : key;
		return new SampleView(job, key, sha, verdict, Instant.parse("2026-12-04T00:00:00Z"), "{\"sha256\":"
				+ (sha == null ? "null" : "\"" + sha + "\"") + ",\"nested\":{\"yara\":[\"NotARule\"]},\"yara\":["
				+ yara + "],\"sources\":[\"" + location + "\"]}");
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
