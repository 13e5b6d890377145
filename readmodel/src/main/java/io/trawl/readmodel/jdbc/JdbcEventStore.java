package io.trawl.readmodel.jdbc;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.query.ResultProjection;

/**
 * Events in a relational table, keyed by job, sample key, kind and event id ({@link JdbcSchema}). Appends join the
 * caller's transaction, so with the job repository in the same database a chunk's events commit together with its
 * progress.
 */
public final class JdbcEventStore implements EventStore {

	private static final String COLUMNS = "event_id, job_instance_id, job_execution_id, sample_key, kind, recorded_at, payload";
	/** What a read selects ({@link #event}): an event's own payload and, when it holds a digest, the text stored once. */
	private static final String SELECTED = "e.event_id, e.job_instance_id, e.job_execution_id, e.sample_key, e.kind, "
			+ "e.recorded_at, e.payload, d.body, e.payload_digest";
	private static final String DOCUMENT = "LEFT JOIN trawl_document d ON d.digest = e.payload_digest";
	private static final String READ = SELECTED + " FROM trawl_event e " + DOCUMENT;

	private static final int KEYS_PER_QUERY = 200;

	private final JdbcTemplate jdbc;
	private final JdbcDocuments documents;
	private final String insertIfAbsent;
	/**
	 * The digest and cut of the texts read here, by text, for as long as a text is in use: a text written again as it
	 * was read (a reused result, in the next job) is not hashed again. Hashing every reused text again was about a
	 * fifth of the events' appends on a nothing-changed night (bench/README.md, session 20). Only a digest and an
	 * offset are kept: an entry outlives its text until the map is next used, the next night in a service.
	 */
	private final Map<String, Cut> read = Collections.synchronizedMap(new WeakHashMap<>());

	public JdbcEventStore(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		JdbcSchema.create(jdbc);
		SqlDialect dialect = SqlDialect.of(dataSource);
		this.documents = new JdbcDocuments(jdbc, dialect);
		this.insertIfAbsent = switch (dialect) {
			// no conflict target: a database made before is keyed on event_id alone (JdbcSchema)
			case POSTGRESQL -> "INSERT INTO trawl_event (" + COLUMNS + ", payload_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
					+ "ON CONFLICT DO NOTHING";
			case H2 -> "MERGE INTO trawl_event t USING (VALUES (CAST(? AS VARCHAR(400)), CAST(? AS BIGINT), "
					+ "CAST(? AS BIGINT), CAST(? AS VARCHAR(100)), CAST(? AS VARCHAR(20)), "
					+ "CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS VARCHAR), CAST(? AS VARCHAR(64)))) s(" + COLUMNS
					+ ", payload_digest) ON t.job_instance_id = s.job_instance_id AND t.sample_key = s.sample_key "
					+ "AND t.kind = s.kind AND t.event_id = s.event_id WHEN NOT MATCHED THEN INSERT (" + COLUMNS
					+ ", payload_digest) VALUES (s.event_id, s.job_instance_id, s.job_execution_id, s.sample_key, "
					+ "s.kind, s.recorded_at, s.payload, s.payload_digest)";
		};
	}

	/**
	 * Inserts in event id order: two transactions that share events (two partitions meeting one content) lock them in
	 * the same order, so one waits for the other's commit and neither waits for the other in a cycle (a deadlock).
	 * <p>
	 * Not a plain insert first on H2, with the rows already there merged after: a content met twice in a job (an
	 * archive's member that is also a sample) made that insert fail, and failing cost more than the look-up it
	 * saved (bench/README.md, session 20).
	 */
	@Override
	public int append(List<ResultEvent> unordered) {
		if (unordered.isEmpty()) {
			return 0;
		}
		List<ResultEvent> events = unordered.stream().sorted(Comparator.comparing(ResultEvent::eventId)).toList();
		Map<String, Row> rows = new HashMap<>();
		Map<String, Supplier<String>> texts = new HashMap<>();
		for (ResultEvent event : events) {
			Row row = rows.computeIfAbsent(event.payload(), this::row);
			if (row.digest() != null) {
				texts.put(row.digest(), row.shared());
			}
		}
		documents.putAll(texts);
		int[] counts;
		try {
			counts = jdbc.batchUpdate(insertIfAbsent, events, events.size(),
					(ps, e) -> bind(ps, e, rows.get(e.payload())))[0];
		}
		catch (DuplicateKeyException stored) {
			// H2 only: another transaction inserted one of them concurrently; that row failed alone (H2 goes on with
			// the batch past it and keeps the transaction), and it is tried again
			counts = updateCounts(stored, events.size());
		}
		int total = 0;
		for (int i = 0; i < events.size(); i++) {
			if (counts[i] != java.sql.Statement.EXECUTE_FAILED) {
				// drivers may answer SUCCESS_NO_INFO (-2) for a batched row; count it as stored
				total += counts[i] == java.sql.Statement.SUCCESS_NO_INFO ? 1 : Math.max(counts[i], 0);
				continue;
			}
			ResultEvent event = events.get(i);
			try {
				total += jdbc.update(insertIfAbsent, ps -> bind(ps, event, rows.get(event.payload())));
			}
			catch (DuplicateKeyException alreadyThere) {
				// stored by another transaction meanwhile: exactly what idempotence asks for
			}
		}
		return total;
	}

	/**
	 * Which rows of a failed batch were stored: H2 reports each row's count in the batch's exception. Without them
	 * every row is tried again, and those the batch stored count as stored before.
	 */
	private static int[] updateCounts(DuplicateKeyException failed, int rows) {
		for (Throwable cause = failed; cause != null; cause = cause.getCause()) {
			if (cause instanceof java.sql.BatchUpdateException batch && batch.getUpdateCounts().length == rows) {
				return batch.getUpdateCounts();
			}
		}
		int[] again = new int[rows];
		java.util.Arrays.fill(again, java.sql.Statement.EXECUTE_FAILED);
		return again;
	}

	@Override
	public void forEach(long jobInstanceId, Consumer<ResultEvent> action) {
		jdbc.query(con -> {
			var ps = con.prepareStatement(jobEventsSql(false, false));
			ps.setLong(1, jobInstanceId);
			ps.setFetchSize(500);
			return ps;
		}, rs -> {
			action.accept(event(rs, false));
		});
	}

	/**
	 * Ranges of the sample key, which the index orders: the slices split the key space of a sha256 (hex, and the
	 * {@code "!"} of unreadable samples before it) evenly, and any other key still falls in exactly one range. The
	 * read runs in a transaction of its own when there is none (PostgreSQL streams a result set only inside one), so
	 * a slice read on a thread of its own holds a page at a time, not the whole slice ({@link #defaultSlices}).
	 */
	@Override
	public void forEachSlice(long jobInstanceId, int slice, int slices, Consumer<ResultEvent> action) {
		EventStore.checkSlice(slice, slices);
		String from = slice == 0 ? null : boundary(slice, slices);
		String to = slice == slices - 1 ? null : boundary(slice + 1, slices);
		String sql = jobEventsSql(from != null, to != null);
		jdbc.execute((java.sql.Connection con) -> {
			boolean own = con.getAutoCommit();
			if (own) {
				con.setAutoCommit(false);
			}
			try (var ps = con.prepareStatement(sql)) {
				int i = 1;
				ps.setLong(i++, jobInstanceId);
				if (from != null) {
					ps.setString(i++, from);
				}
				if (to != null) {
					ps.setString(i, to);
				}
				ps.setFetchSize(500);
				try (var rs = ps.executeQuery()) {
					while (rs.next()) {
						action.accept(event(rs, false));
					}
				}
				return null;
			}
			finally {
				if (own) {
					con.rollback(); // it only read
					con.setAutoCommit(true);
				}
			}
		});
	}

	/**
	 * One slice a core, up to four: the projection reads and parses the slices on threads of their own, and writes
	 * their rows on its caller's thread, in its transaction ({@link io.trawl.readmodel.query.QueryTables#singleWriter}).
	 * On this project's 2-core machine the projection of a 5,679-sample job on H2 took 2.3 s of wall time in one slice
	 * (bench/README.md, session 14): the last part of a rescan, on one core.
	 */
	@Override
	public int defaultSlices() {
		return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
	}

	/** The lowest sample key of slice {@code slice} of {@code slices}: a four-hex-digit prefix of the sha256s. */
	static String boundary(int slice, int slices) {
		return String.format("%04x", slice * 0x10000L / slices);
	}

	@Override
	public long count(long jobInstanceId, EventKind kind) {
		Long count = jdbc.queryForObject("SELECT COUNT(*) FROM trawl_event WHERE job_instance_id = ? AND kind = ?",
				Long.class, jobInstanceId, kind.name());
		return count == null ? 0 : count;
	}

	@Override
	public List<ResultEvent> find(long jobInstanceId, String sampleKey, EventKind kind) {
		return jdbc.query("SELECT " + READ + " WHERE e.job_instance_id = ? AND e.sample_key = ? AND e.kind = ? "
				+ "ORDER BY e.event_id", (rs, row) -> event(rs, false), jobInstanceId, sampleKey, kind.name());
	}

	/**
	 * One query per {@value #KEYS_PER_QUERY} keys, on the same index as {@link #find}: the keys are a {@code VALUES}
	 * table joined on {@code sample_key}. H2 does not use an index for {@code sample_key IN (...)} after
	 * {@code job_instance_id = ?}: it read every event of the job for each batch of keys, which made an incremental
	 * job's look-ups grow with the square of its samples (a tenth of a nothing-changed night's CPU on 5,574 samples,
	 * bench/README.md, session 15).
	 */
	@Override
	public Map<String, List<ResultEvent>> findAll(long jobInstanceId, Collection<String> sampleKeys, EventKind kind) {
		List<String> keys = new ArrayList<>(new LinkedHashSet<>(sampleKeys));
		Map<String, List<ResultEvent>> found = new HashMap<>();
		for (int from = 0; from < keys.size(); from += KEYS_PER_QUERY) {
			List<String> some = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_QUERY));
			List<Object> args = new ArrayList<>(some.size() + 2);
			args.addAll(some);
			args.add(jobInstanceId);
			args.add(kind.name());
			jdbc.query(findAllSql(some.size()),
					rs -> {
						ResultEvent event = event(rs, true);
						found.computeIfAbsent(event.sampleKey(), k -> new ArrayList<>()).add(event);
					}, args.toArray());
		}
		return found;
	}

	/**
	 * A job's events in key order, from a key ({@code from}) and before one ({@code to}) when asked. Ordered by the
	 * job too, the index's first column: without it H2 sorted every event of the job (or slice) in memory instead of
	 * reading the index in order.
	 */
	static String jobEventsSql(boolean from, boolean to) {
		return "SELECT " + READ + " WHERE e.job_instance_id = ?" + (from ? " AND e.sample_key >= ?" : "")
				+ (to ? " AND e.sample_key < ?" : "") + " ORDER BY e.job_instance_id, e.sample_key, e.kind, e.event_id";
	}

	/** The query of {@link #findAll} for {@code keys} keys: the keys first, then the job and the kind. */
	static String findAllSql(int keys) {
		return "SELECT " + SELECTED + " FROM (VALUES " + String.join(", ", Collections.nCopies(keys,
				"(CAST(? AS VARCHAR(100)))")) + ") AS k(sample_key) JOIN trawl_event e ON e.sample_key = k.sample_key "
				+ DOCUMENT + " WHERE e.job_instance_id = ? AND e.kind = ? ORDER BY e.sample_key, e.event_id";
	}

	/**
	 * An event as stored: with a digest, its payload is the text stored once joined with the row's own text (empty
	 * in rows written before texts were cut at their job fields: the stored text is the whole payload). When asked,
	 * a payload that {@link Row#of} would cut where it was cut is remembered with its cut and digest: for the look-ups
	 * of an incremental job, whose texts may be written again as they are ({@link #findAll}).
	 */
	private ResultEvent event(java.sql.ResultSet rs, boolean remember) throws java.sql.SQLException {
		String stored = rs.getString(8);
		String own = rs.getString(7);
		String payload = stored == null ? own
				: own == null || own.isEmpty() ? stored : JdbcDocuments.joined(stored, own);
		if (remember && own != null && !own.isEmpty() && JdbcDocuments.shared(stored)
				&& ResultProjection.jobFieldsAt(payload) == stored.length() - 1) {
			read.put(payload, new Cut(stored.length() - 1, rs.getString(9)));
		}
		return new ResultEvent(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
				EventKind.valueOf(rs.getString(5)), rs.getTimestamp(6).toInstant(), payload);
	}

	/**
	 * A payload's row: cut where and with the digest it was read with (its stored part cut out only if it must be
	 * stored), or else cut and hashed now.
	 */
	private Row row(String payload) {
		Cut known = read.get(payload);
		return known == null ? Row.of(payload)
				: new Row(() -> JdbcDocuments.shared(payload, known.at()), known.digest(),
						payload.substring(known.at()));
	}

	/** Where a payload read here was cut, and its stored part's digest. */
	private record Cut(int at, String digest) {
	}

	/**
	 * An event's payload as its row holds it: the part stored once ({@code shared}, by {@code digest}; made when it
	 * must be stored) and the rest, its own text (the fields that name jobs, {@link ResultProjection#jobFieldsAt}); a
	 * short payload whole, with no digest.
	 */
	private record Row(Supplier<String> shared, String digest, String own) {

		static Row of(String payload) {
			int cut = JdbcDocuments.shared(payload) ? ResultProjection.jobFieldsAt(payload) : -1;
			String shared = cut > 0 ? JdbcDocuments.shared(payload, cut) : payload;
			if (!JdbcDocuments.shared(shared)) {
				return new Row(null, null, payload);
			}
			return new Row(() -> shared, JdbcDocuments.digest(shared), cut > 0 ? payload.substring(cut) : "");
		}
	}

	private static void bind(java.sql.PreparedStatement ps, ResultEvent e, Row row) throws java.sql.SQLException {
		ps.setString(1, e.eventId());
		ps.setLong(2, e.jobInstanceId());
		ps.setLong(3, e.jobExecutionId());
		ps.setString(4, e.sampleKey());
		ps.setString(5, e.kind().name());
		ps.setTimestamp(6, Timestamp.from(e.recordedAt()));
		ps.setString(7, row.own());
		ps.setString(8, row.digest());
	}
}
