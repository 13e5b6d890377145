package io.trawl.readmodel.jdbc;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.query.DiffRow;
import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.ResultProjection;
import io.trawl.readmodel.query.RuleHistory;
import io.trawl.readmodel.query.SampleView;

/** Query tables in the same relational database as the events. */
public final class JdbcQueryTables implements QueryTables {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	// H2's MERGE is not atomic: two jobs projecting the same new sample may both insert it; again, the row exists
	// and the newer result wins as usual (PostgreSQL's ON CONFLICT never gets here). Three attempts, no pause.
	private static final RetryTemplate LATEST_RACES = new RetryTemplate(RetryPolicy.builder()
		.includes(DuplicateKeyException.class).maxRetries(2).delay(Duration.ZERO).build());
	private static final RowMapper<SampleView> SAMPLE = (rs, i) -> new SampleView(rs.getLong(1), rs.getString(2),
			rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
			JdbcDocuments.joined(rs.getString(7), rs.getString(6)));

	static final int STREAM_PAGE = 200;
	/** The longest set of YARA rules a row keeps for the diff ({@code yara_rules}); a longer one is left null. */
	static final int RULES_KEPT = 10_000;
	/**
	 * The document a {@code trawl_sample} row holds: none of its own, it is the one in the row of its job and sample
	 * key (a readable sample's key is its sha256). The projection then writes each document once, not twice.
	 */
	static final String IN_JOB_ROW = "";

	private final JdbcTemplate jdbc;
	private final JdbcDocuments documents;
	private final String upsertJobSample;
	private final String upsertLatest;
	private final String insertRuleHit;
	private final String upsertSummary;
	private final String upsertRuleJob;
	/**
	 * A job's rows in the order of their keys as Java compares them (the diff's merge join relies on it): "C" on
	 * PostgreSQL, whose database collation may sort by words and skip the '!' of an unreadable sample's key.
	 */
	private final String byKey;

	public JdbcQueryTables(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		JdbcSchema.create(jdbc);
		SqlDialect dialect = SqlDialect.of(dataSource);
		this.documents = new JdbcDocuments(jdbc, dialect);
		this.byKey = dialect == SqlDialect.POSTGRESQL ? "s.sample_key COLLATE \"C\"" : "s.sample_key";
		switch (dialect) {
			case POSTGRESQL -> {
				SchemaDdl.create(jdbc, "CREATE INDEX IF NOT EXISTS trawl_job_sample_in_order ON trawl_job_sample "
						+ "(job_instance_id, sample_key COLLATE \"C\")");
				upsertJobSample = "INSERT INTO trawl_job_sample (job_instance_id, sample_key, sha256, verdict, "
						+ "analysed_at, document, document_digest, yara_rules) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON "
						+ "CONFLICT (job_instance_id, sample_key) DO UPDATE SET sha256 = EXCLUDED.sha256, verdict = "
						+ "EXCLUDED.verdict, analysed_at = EXCLUDED.analysed_at, document = EXCLUDED.document, "
						+ "document_digest = EXCLUDED.document_digest, yara_rules = EXCLUDED.yara_rules";
				upsertLatest = "INSERT INTO trawl_sample (sha256, job_instance_id, verdict, analysed_at, document) "
						+ "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET job_instance_id = "
						+ "EXCLUDED.job_instance_id, verdict = EXCLUDED.verdict, analysed_at = EXCLUDED.analysed_at, "
						+ "document = EXCLUDED.document WHERE (trawl_sample.job_instance_id, trawl_sample.analysed_at) "
						+ "<= (EXCLUDED.job_instance_id, EXCLUDED.analysed_at)";
				insertRuleHit = "INSERT INTO trawl_rule_hit (job_instance_id, rule, sha256) VALUES (?, ?, ?) "
						+ "ON CONFLICT DO NOTHING";
				upsertSummary = "INSERT INTO trawl_job_summary (job_instance_id, projected_at, document) "
						+ "VALUES (?, ?, ?) ON CONFLICT (job_instance_id) DO UPDATE SET "
						+ "projected_at = EXCLUDED.projected_at, document = EXCLUDED.document";
				upsertRuleJob = "INSERT INTO trawl_rule_job (rule, job_instance_id, hits, samples) VALUES (?, ?, ?, ?) "
						+ "ON CONFLICT (rule, job_instance_id) DO UPDATE SET hits = EXCLUDED.hits, "
						+ "samples = EXCLUDED.samples";
			}
			default -> {
				upsertJobSample = "MERGE INTO trawl_job_sample (job_instance_id, sample_key, sha256, verdict, "
						+ "analysed_at, document, document_digest, yara_rules) KEY (job_instance_id, sample_key) "
						+ "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
				upsertLatest = "MERGE INTO trawl_sample t USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS BIGINT), "
						+ "CAST(? AS VARCHAR(20)), CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS VARCHAR))) "
						+ "s(sha256, job_instance_id, verdict, analysed_at, document) ON t.sha256 = s.sha256 "
						+ "WHEN MATCHED AND (t.job_instance_id < s.job_instance_id OR (t.job_instance_id = "
						+ "s.job_instance_id AND t.analysed_at <= s.analysed_at)) THEN UPDATE SET job_instance_id = "
						+ "s.job_instance_id, verdict = s.verdict, analysed_at = s.analysed_at, document = s.document "
						+ "WHEN NOT MATCHED THEN INSERT (sha256, job_instance_id, verdict, analysed_at, document) "
						+ "VALUES (s.sha256, s.job_instance_id, s.verdict, s.analysed_at, s.document)";
				insertRuleHit = "MERGE INTO trawl_rule_hit (job_instance_id, rule, sha256) KEY (job_instance_id, "
						+ "rule, sha256) VALUES (?, ?, ?)";
				upsertSummary = "MERGE INTO trawl_job_summary (job_instance_id, projected_at, document) "
						+ "KEY (job_instance_id) VALUES (?, ?, ?)";
				upsertRuleJob = "MERGE INTO trawl_rule_job (rule, job_instance_id, hits, samples) "
						+ "KEY (rule, job_instance_id) VALUES (?, ?, ?, ?)";
			}
		}
	}

	/**
	 * A row's document is the result's analysis text, which is its {@code ANALYSED} event's payload, then the
	 * projection's fields ({@code "sources"} and after: locations, job ids, time). The analysis text up to the fields
	 * that name jobs ({@link ResultProjection#jobFieldsAt}; else up to the projection's fields) goes to the documents
	 * stored once, where its event and every job that reused it find the same text; the row holds its digest and the
	 * rest. A document with nothing to share is held whole. Any split is exact: reading joins the two parts again
	 * ({@link JdbcDocuments#joined}); only a split where the event's was finds the text already stored.
	 */
	@Override
	public void putSamples(List<SampleView> samples) {
		List<Row> rows = new ArrayList<>(samples.size());
		Map<String, Supplier<String>> texts = new HashMap<>();
		for (SampleView sample : samples) {
			String document = sample.document();
			int cut = ResultProjection.jobFieldsAt(document);
			if (cut < 0) {
				cut = document.lastIndexOf(ResultProjection.OWN_FIELDS);
			}
			String analysis = cut > 0 ? JdbcDocuments.shared(document, cut) : null;
			if (JdbcDocuments.shared(analysis)) {
				String digest = JdbcDocuments.digest(analysis);
				texts.put(digest, () -> analysis);
				rows.add(new Row(sample, document.substring(cut), digest));
			}
			else {
				rows.add(new Row(sample, document, null));
			}
		}
		documents.putAll(texts);
		jdbc.batchUpdate(upsertJobSample, rows, rows.size(), (ps, row) -> {
			SampleView s = row.sample();
			ps.setLong(1, s.jobInstanceId());
			ps.setString(2, s.sampleKey());
			ps.setString(3, s.sha256());
			ps.setString(4, s.verdict());
			ps.setTimestamp(5, Timestamp.from(s.analysedAt()));
			ps.setString(6, row.own());
			ps.setString(7, row.digest());
			String rules = s.rulesKey();
			ps.setString(8, rules != null && rules.length() <= RULES_KEPT ? rules : null);
		});
		List<SampleView> readable = samples.stream().filter(s -> s.sha256() != null).toList();
		try {
			LATEST_RACES.execute(() -> jdbc.batchUpdate(upsertLatest, readable, readable.size(), (ps, s) -> {
				ps.setString(1, s.sha256());
				ps.setLong(2, s.jobInstanceId());
				ps.setString(3, s.verdict());
				ps.setTimestamp(4, Timestamp.from(s.analysedAt()));
				ps.setString(5, IN_JOB_ROW);
			}));
		}
		catch (RetryException e) {
			throw e.getLastException() instanceof RuntimeException thrown ? thrown
					: new IllegalStateException(e.getLastException());
		}
	}

	/** A job row as stored: its document's own part, and the digest of its analysis text stored once (or null). */
	private record Row(SampleView sample, String own, String digest) {
	}

	@Override
	public void putRuleHits(long jobInstanceId, String rule, List<String> sha256s) {
		jdbc.batchUpdate(insertRuleHit, sha256s, sha256s.size(), (ps, sha256) -> {
			ps.setLong(1, jobInstanceId);
			ps.setString(2, rule);
			ps.setString(3, sha256);
		});
	}

	@Override
	public void putSummary(JobSummary summary) {
		jdbc.update(upsertSummary, summary.jobInstanceId(), Timestamp.from(summary.projectedAt()),
				JSON.writeValueAsString(summary));
	}

	@Override
	public void clear() {
		// TRUNCATE, not DELETE: it drops a table's rows at once instead of logging each one
		for (String table : JdbcSchema.QUERY_TABLES) {
			jdbc.execute("TRUNCATE TABLE " + table);
		}
	}

	/**
	 * Streams in key-ordered pages rather than one result set: PostgreSQL's driver ignores the fetch size outside a
	 * transaction and H2 may buffer a large result in memory, while a page of {@value #STREAM_PAGE} rows is bounded
	 * on both.
	 */
	@Override
	public void forEachSample(long jobInstanceId, Consumer<SampleView> action) {
		String after = null;
		while (true) {
			List<SampleView> page = page(jobInstanceId, ResultFilter.NONE, after, STREAM_PAGE);
			page.forEach(action);
			if (page.size() < STREAM_PAGE) {
				return;
			}
			after = page.get(page.size() - 1).sampleKey();
		}
	}

	@Override
	public List<SampleView> page(long jobInstanceId, ResultFilter filter, String after, int limit) {
		StringBuilder sql = new StringBuilder("SELECT s.job_instance_id, s.sample_key, s.sha256, s.verdict, "
				+ "s.analysed_at, s.document, d.body FROM trawl_job_sample s LEFT JOIN trawl_document d "
				+ "ON d.digest = s.document_digest WHERE s.job_instance_id = ?");
		List<Object> arguments = new ArrayList<>();
		arguments.add(jobInstanceId);
		if (after != null) {
			sql.append(" AND ").append(byKey).append(" > ?");
			arguments.add(after);
		}
		if (filter.verdict() != null) {
			sql.append(" AND s.verdict = ?");
			arguments.add(filter.verdict());
		}
		if (filter.sha256Prefix() != null) {
			// hex only (ResultFilter checks it), so no LIKE wildcard can be in it
			sql.append(" AND s.sha256 LIKE ?");
			arguments.add(filter.sha256Prefix() + "%");
		}
		if (filter.rule() != null) {
			sql.append(" AND EXISTS (SELECT 1 FROM trawl_rule_hit h WHERE h.job_instance_id = s.job_instance_id "
					+ "AND h.rule = ? AND h.sha256 = s.sha256)");
			arguments.add(filter.rule());
		}
		// both key columns, or H2 sorts the whole job instead of reading the primary key in order
		sql.append(" ORDER BY s.job_instance_id, ").append(byKey).append(" LIMIT ?");
		arguments.add(limit);
		return jdbc.query(sql.toString(), SAMPLE, arguments.toArray());
	}

	/**
	 * The rows without their stored analysis texts, whose digests and sets of YARA rules are what a diff compares: a
	 * night that reused every result reads none of the texts (they were half of its diff's time), nor does a night
	 * whose new rules changed the hits of many samples (they were a fifth of its projection step's time). A page's
	 * texts are read together, by one query, the first time a row's document is asked for.
	 */
	@Override
	public List<DiffRow> diffPage(long jobInstanceId, String after, int limit) {
		List<Object> arguments = new ArrayList<>();
		arguments.add(jobInstanceId);
		if (after != null) {
			arguments.add(after);
		}
		arguments.add(limit);
		PageTexts texts = new PageTexts();
		return jdbc.query("SELECT s.sample_key, s.sha256, s.verdict, s.document_digest, s.document, s.yara_rules "
				+ "FROM trawl_job_sample s WHERE s.job_instance_id = ?" + (after == null ? "" : " AND " + byKey + " > ?")
				+ " ORDER BY s.job_instance_id, " + byKey + " LIMIT ?", (rs, i) -> {
					String digest = rs.getString(4);
					String own = rs.getString(5);
					String rules = rs.getString(6);
					if (digest == null) {
						return new DiffRow(rs.getString(1), rs.getString(2), rs.getString(3), null, rules, () -> own);
					}
					texts.digests.add(digest);
					return new DiffRow(rs.getString(1), rs.getString(2), rs.getString(3), digest, rules,
							() -> JdbcDocuments.joined(texts.of(digest), own));
				}, arguments.toArray());
	}

	/** The stored analysis texts of a page's rows, read together the first time one is asked for. */
	private final class PageTexts {
		private final List<String> digests = new ArrayList<>();
		private Map<String, String> read;

		synchronized String of(String digest) {
			if (read == null) {
				read = documents.getAll(digests);
			}
			return read.get(digest);
		}
	}

	/**
	 * The newest result of a sample, whose document is its job's row's: {@code trawl_sample} holds which job, not a
	 * second copy of the document ({@link #IN_JOB_ROW}). A row written before that holds its own document. Empty when
	 * the job's row is gone (tables damaged: a rebuild gives it back).
	 */
	@Override
	public Optional<SampleView> latest(String sha256) {
		return jdbc.query("SELECT s.job_instance_id, s.sha256, s.verdict, s.analysed_at, s.document, j.document, "
				+ "d.body FROM trawl_sample s LEFT JOIN trawl_job_sample j ON j.job_instance_id = s.job_instance_id "
				+ "AND j.sample_key = s.sha256 LEFT JOIN trawl_document d ON d.digest = j.document_digest "
				+ "WHERE s.sha256 = ?", (rs, i) -> {
					String own = rs.getString(5);
					String inJob = rs.getString(6);
					String document = own != null && !own.isEmpty() ? own
							: inJob == null ? null : JdbcDocuments.joined(rs.getString(7), inJob);
					return document == null ? null : new SampleView(rs.getLong(1), rs.getString(2), rs.getString(2),
							rs.getString(3), rs.getTimestamp(4).toInstant(), document);
				}, sha256).stream().filter(Objects::nonNull).findFirst();
	}

	@Override
	public Optional<JobSummary> summary(long jobInstanceId) {
		return jdbc.queryForList("SELECT document FROM trawl_job_summary WHERE job_instance_id = ?", String.class,
				jobInstanceId).stream().findFirst().map(json -> JSON.readValue(json, JobSummary.class));
	}

	@Override
	public List<String> ruleHits(long jobInstanceId, String rule) {
		return jdbc.queryForList("SELECT sha256 FROM trawl_rule_hit WHERE job_instance_id = ? AND rule = ? "
				+ "ORDER BY sha256", String.class, jobInstanceId, rule);
	}

	@Override
	public void putRuleCounts(long jobInstanceId, long samples, Map<String, Long> hits) {
		List<Map.Entry<String, Long>> rows = List.copyOf(hits.entrySet());
		jdbc.batchUpdate(upsertRuleJob, rows, rows.size(), (ps, row) -> {
			ps.setString(1, row.getKey());
			ps.setLong(2, jobInstanceId);
			ps.setLong(3, row.getValue());
			ps.setLong(4, samples);
		});
	}

	@Override
	public List<RuleHistory> ruleHistory() {
		Map<String, List<RuleHistory.JobHits>> rows = new HashMap<>();
		jdbc.query("SELECT rule, job_instance_id, hits, samples FROM trawl_rule_job", rs -> {
			rows.computeIfAbsent(rs.getString(1), rule -> new ArrayList<>())
				.add(new RuleHistory.JobHits(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
		});
		return RuleHistory.byRule(rows);
	}

	/** Yes: a rescan's projection writes in its step's transaction. */
	@Override
	public boolean singleWriter() {
		return true;
	}
}
