package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.trawl.readmodel.contract.EventStoreContract;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultProjection;
import io.trawl.readmodel.query.SampleView;

/**
 * On JDBC a rescan's projection runs in its step's transaction: its slices are read on threads of their own, and
 * their rows written on the caller's thread, so the projection commits or rolls back as one whatever its slices.
 */
class JdbcProjectionTransactionTests {

	private static final int SAMPLES = 600;

	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void aProjectionOnFourSlicesWritesInTheCallersTransaction(DataSource dataSource) {
		JdbcEventStore events = new JdbcEventStore(dataSource);
		Set<String> writers = ConcurrentHashMap.newKeySet();
		QueryTables tables = new WritersSeen(new JdbcQueryTables(dataSource), writers);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		long job = 5_000_000 + System.nanoTime() % 1_000_000;
		List<ResultEvent> appended = new ArrayList<>();
		for (int i = 0; i < SAMPLES; i++) {
			String sha256 = EventStoreContract.sha(job + "/" + i);
			appended.add(EventStoreContract.analysed(job, sha256));
			appended.add(EventStoreContract.source(job, sha256, "p/" + i));
		}
		events.append(appended);
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		ResultProjection projection = new ResultProjection(events, tables, 4);

		// when it is projected on four slices in a transaction that then fails
		assertThatThrownBy(() -> transaction.executeWithoutResult(status -> {
			projection.project(job);
			assertThat(rows(jdbc, job)).as("rows the transaction itself sees").isEqualTo(SAMPLES);
			throw new IllegalStateException("injected: the step failed after its projection");
		})).hasMessageContaining("injected");

		// then it left no row, and every row was written on the caller's thread
		assertThat(rows(jdbc, job)).isZero();
		assertThat(writers).containsExactly(Thread.currentThread().getName());

		// and projected again in a transaction that commits, every row is there
		JobSummary summary = transaction.execute(status -> projection.project(job));
		assertThat(summary.samples()).isEqualTo(SAMPLES);
		assertThat(rows(jdbc, job)).isEqualTo(SAMPLES);
	}

	private static long rows(JdbcTemplate jdbc, long job) {
		return jdbc.queryForObject("SELECT COUNT(*) FROM trawl_job_sample WHERE job_instance_id = ?", Long.class, job);
	}

	/** The real tables, noting which threads wrote samples. */
	private record WritersSeen(QueryTables tables, Set<String> writers) implements QueryTables {

		@Override
		public void putSamples(List<SampleView> samples) {
			writers.add(Thread.currentThread().getName());
			tables.putSamples(samples);
		}

		@Override
		public void putRuleHits(long jobInstanceId, String rule, List<String> sha256s) {
			tables.putRuleHits(jobInstanceId, rule, sha256s);
		}

		@Override
		public void putSummary(JobSummary summary) {
			tables.putSummary(summary);
		}

		@Override
		public void clear() {
			tables.clear();
		}

		@Override
		public void forEachSample(long jobInstanceId, java.util.function.Consumer<SampleView> action) {
			tables.forEachSample(jobInstanceId, action);
		}

		@Override
		public List<SampleView> page(long jobInstanceId, io.trawl.readmodel.query.ResultFilter filter, String after,
				int limit) {
			return tables.page(jobInstanceId, filter, after, limit);
		}

		@Override
		public java.util.Optional<SampleView> latest(String sha256) {
			return tables.latest(sha256);
		}

		@Override
		public java.util.Optional<JobSummary> summary(long jobInstanceId) {
			return tables.summary(jobInstanceId);
		}

		@Override
		public List<String> ruleHits(long jobInstanceId, String rule) {
			return tables.ruleHits(jobInstanceId, rule);
		}

		@Override
		public void putRuleCounts(long jobInstanceId, long samples, java.util.Map<String, Long> hits) {
			tables.putRuleCounts(jobInstanceId, samples, hits);
		}

		@Override
		public List<io.trawl.readmodel.query.RuleHistory> ruleHistory() {
			return tables.ruleHistory();
		}

		@Override
		public boolean singleWriter() {
			return tables.singleWriter();
		}
	}
}
