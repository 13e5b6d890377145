package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.trawl.readmodel.contract.EventStoreContract;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.DiffRow;
import io.trawl.readmodel.query.JobDiff;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultProjection;
import io.trawl.readmodel.query.SampleChange;
import io.trawl.readmodel.query.SampleView;

/**
 * On JDBC a projected row keeps the set of YARA rules its document names ({@code yara_rules}), and a diff compares two
 * rows by it and their verdicts without reading either document: the same counts as from the documents.
 */
class JdbcDiffRulesTests {

	private static final Instant AT = Instant.parse("2026-12-07T00:00:00Z");

	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void aDiffOfProjectedJobsComparesTheirRulesWithoutReadingADocument(DataSource dataSource) {
		JdbcEventStore events = new JdbcEventStore(dataSource);
		JdbcQueryTables tables = new JdbcQueryTables(dataSource);
		long base = ThreadLocalRandom.current().nextLong(1_000_000_000L, 2_000_000_000L);
		long job = base + 1;
		String kept = sha("kept", base);
		String rewritten = sha("rewritten", base);
		String lost = sha("lost", base);
		String verdict = sha("verdict", base);
		String gone = sha("gone", base);
		String added = sha("added", base);
		String older = sha("older", base);
		// given a base job and a job projected from their events: one result the same, one whose text changed but not
		// its rules (listed in another order, one twice), one that lost a rule, one with another verdict, one gone, one
		// new; and one whose base row, of another text with the same rules, was written before rows kept their rules
		append(events, base, Map.of(kept, text(kept, 1, "malicious", "\"A\""),
				rewritten, text(rewritten, 1, "malicious", "\"A\",\"B\""), lost, text(lost, 1, "malicious", "\"A\""),
				verdict, text(verdict, 1, "clean", ""), gone, text(gone, 1, "clean", "")));
		append(events, job, Map.of(kept, text(kept, 1, "malicious", "\"A\""),
				rewritten, text(rewritten, 2, "malicious", "\"B\",\"A\",\"B\""), lost, text(lost, 1, "clean", ""),
				verdict, text(verdict, 1, "suspicious", ""), added, text(added, 1, "malicious", "\"C\""),
				older, text(older, 1, "malicious", "\"A\"")));
		new ResultProjection(events, tables).project(base);
		new ResultProjection(events, tables).project(job);
		tables.putSamples(List.of(new SampleView(base, older, older, "malicious", AT,
				text(older, 2, "malicious", "\"A\"").replace("}", ",\"sources\":[\"older\"]}"))));

		// then each projected row has its set of rules, the older row none
		assertThat(tables.diffPage(job, null, 10)).filteredOn(r -> r.sampleKey().equals(rewritten)).singleElement()
			.satisfies(r -> assertThat(r.rules()).isEqualTo("[\"A\",\"B\"]"));
		assertThat(tables.diffPage(base, null, 10)).filteredOn(r -> r.sampleKey().equals(older)).singleElement()
			.satisfies(r -> assertThat(r.rules()).isNull());

		// and the diff's counts are the documents' own, reading only the document of the row without rules (and its
		// pair's, whose rules alone cannot decide)
		List<String> read = new ArrayList<>();
		DiffCounts byRules = new JobDiff(rows(tables, row -> new DiffRow(row.sampleKey(), row.sha256(), row.verdict(),
				row.analysisKey(), row.rules(), () -> {
					read.add(row.sampleKey());
					return row.document().get();
				}))).counts(base, base, job);
		DiffCounts byDocuments = new JobDiff(rows(tables, row -> new DiffRow(row.sampleKey(), row.sha256(),
				row.verdict(), null, null, row.document()))).counts(base, base, job);
		assertThat(byRules).isEqualTo(byDocuments).isEqualTo(new DiffCounts(base, base, 1, 1, 2, 3));
		assertThat(read).containsOnly(older);

		// and the list of changes says the same, with the rules gained and lost
		List<SampleChange> changes = new ArrayList<>();
		new JobDiff(tables).changes(base, job, null, changes::add);
		assertThat(changes).extracting(SampleChange::sampleKey).containsExactlyInAnyOrder(lost, verdict, gone, added);
		assertThat(changes).filteredOn(c -> c.sampleKey().equals(lost)).singleElement()
			.satisfies(c -> assertThat(c.rulesLost()).containsExactly("A"));
	}

	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void aTextWhoseHeadEndsBeforeItsRulesLeavesThemToTheDocument(DataSource dataSource) {
		JdbcEventStore events = new JdbcEventStore(dataSource);
		JdbcQueryTables tables = new JdbcQueryTables(dataSource);
		long job = ThreadLocalRandom.current().nextLong(1_000_000_000L, 2_000_000_000L);
		String headFirst = sha("head-first", job);
		String late = sha("late", job);
		// given a text written head first, with its rules in its head, and one that starts as one but names its rules
		// after a field the head does not have (not how Trawl writes a result)
		append(events, job, Map.of(headFirst, "{\"errors\":[],\"verdict\":\"malicious\",\"yara\":[\"A\"],\"size\":1,"
				+ "\"strings\":\"x\"}", late, "{\"errors\":[],\"verdict\":\"malicious\",\"size\":1,\"strings\":\"x\","
				+ "\"yara\":[\"A\"]}"));
		new ResultProjection(events, tables).project(job);

		// then the first row keeps its rules, and the second none: a diff reads its document
		assertThat(tables.diffPage(job, null, 10)).extracting(DiffRow::sampleKey, DiffRow::rules)
			.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(headFirst, "[\"A\"]"),
					org.assertj.core.groups.Tuple.tuple(late, null));
	}

	private static String sha(String name, long job) {
		return EventStoreContract.sha(name + "/" + job);
	}

	/** A result's text: its hashes, a field that tells two texts apart, its rules and verdict. */
	private static String text(String sha256, int size, String verdict, String rules) {
		return "{\"sha256\":\"" + sha256 + "\",\"size\":" + size + ",\"strings\":\"" + "x".repeat(500)
				+ "\",\"yara\":[" + rules + "],\"verdict\":\"" + verdict + "\",\"errors\":[]}";
	}

	private static void append(JdbcEventStore events, long job, Map<String, String> texts) {
		List<ResultEvent> appended = new ArrayList<>();
		texts.forEach((sha256, text) -> {
			appended.add(new ResultEvent(ResultEvent.analysedId(job, sha256), job, job, sha256, EventKind.ANALYSED, AT,
					text));
			appended.add(EventStoreContract.source(job, sha256, "folder/" + sha256.substring(0, 8)));
		});
		events.append(appended);
	}

	/** The tables, with each row a diff reads given by {@code each}. */
	private static QueryTables rows(QueryTables tables, UnaryOperator<DiffRow> each) {
		return (QueryTables) Proxy.newProxyInstance(QueryTables.class.getClassLoader(),
				new Class<?>[] { QueryTables.class }, (proxy, method, arguments) -> {
					try {
						Object result = method.invoke(tables, arguments);
						if (method.getName().equals("diffPage")) {
							@SuppressWarnings("unchecked")
							List<DiffRow> page = (List<DiffRow>) result;
							return page.stream().map(each).toList();
						}
						return result;
					}
					catch (InvocationTargetException e) {
						throw e.getCause();
					}
				});
	}
}
