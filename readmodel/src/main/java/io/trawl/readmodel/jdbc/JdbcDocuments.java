package io.trawl.readmodel.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import io.trawl.readmodel.query.ResultProjection;

/**
 * Result documents stored once by their content, in {@code trawl_document} (the sha256 of their text, its text). An
 * analysis result's text is the same in its {@code ANALYSED} event and in its job's row, and the same again in every
 * later job that reused it: a nothing-changed night of 5,574 samples wrote 38 MB of it to the events and 38 MB to the
 * job rows, all of it already stored (bench/README.md, session 15). Those rows hold the digest; the text is written
 * the first time only. Rows are only ever added: two rows with one digest hold one text, so a retried or concurrent
 * write is harmless, and nothing deletes them (events and job rows are never deleted; a rebuild of the query tables
 * writes the same digests again).
 * <p>
 * What is shared is a result's analysis without the fields that name jobs: the analyzers' provenance and the
 * ruleset version come last in an analysis text ({@link ResultProjection#JOB_FIELDS}), so a night that reused a
 * result under new rules, which changes only those, finds its text stored. A row keeps that tail, and for a job row
 * the projection's fields after it; reading joins the parts again ({@link #joined}), whatever the cut was.
 */
final class JdbcDocuments {

	private static final int DIGESTS_PER_QUERY = 200;

	/** Shorter texts stay in their own rows: a digest and a look-up would cost more than they save. */
	static final int SHARED_FROM = 512;

	private static final HexFormat HEX = HexFormat.of();

	private final JdbcTemplate jdbc;
	private final String insertIfAbsent;

	JdbcDocuments(JdbcTemplate jdbc, SqlDialect dialect) {
		this.jdbc = jdbc;
		this.insertIfAbsent = switch (dialect) {
			case POSTGRESQL -> "INSERT INTO trawl_document (digest, body) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING";
			case H2 -> "MERGE INTO trawl_document t USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR))) "
					+ "s(digest, body) ON t.digest = s.digest WHEN NOT MATCHED THEN INSERT (digest, body) "
					+ "VALUES (s.digest, s.body)";
		};
	}

	/** Which of {@code digests} digests are stored: a {@code VALUES} table joined on the key. */
	static String storedSql(int digests) {
		return "SELECT d.digest FROM (VALUES " + String.join(", ", Collections.nCopies(digests,
				"(CAST(? AS VARCHAR(64)))")) + ") AS k(digest) JOIN trawl_document d ON d.digest = k.digest";
	}

	/** The texts of these digests that are stored, by digest. */
	Map<String, String> getAll(List<String> digests) {
		Map<String, String> texts = new HashMap<>();
		List<String> distinct = List.copyOf(new LinkedHashSet<>(digests));
		for (int from = 0; from < distinct.size(); from += DIGESTS_PER_QUERY) {
			List<String> some = distinct.subList(from, Math.min(distinct.size(), from + DIGESTS_PER_QUERY));
			jdbc.query(textsSql(some.size()), rs -> {
				texts.put(rs.getString(1), rs.getString(2));
			}, some.toArray());
		}
		return texts;
	}

	static String textsSql(int digests) {
		return storedSql(digests).replace("SELECT d.digest FROM", "SELECT d.digest, d.body FROM");
	}

	/** The part of a JSON object's text before {@code cut}, closed: what is stored once. */
	static String shared(String text, int cut) {
		return text.substring(0, cut) + "}";
	}

	/** The text a row holds as {@code shared} (stored once, closed) and {@code own} (from the cut): exact. */
	static String joined(String shared, String own) {
		return shared == null ? own : shared.substring(0, shared.length() - 1) + own;
	}

	/** Whether a text is stored here rather than in its own row. */
	static boolean shared(String text) {
		return text != null && text.length() >= SHARED_FROM;
	}

	/** The key of a text: the hex sha256 of its UTF-8 bytes. */
	static String digest(String text) {
		try {
			return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("every JVM has SHA-256", e);
		}
	}

	/**
	 * Stores the texts not stored yet, in their digests' order, in the caller's transaction: two transactions that
	 * store the same texts lock them in the same order, and before any event or row of theirs, so neither waits for
	 * the other in a cycle. Which are stored already is read first: H2's {@code MERGE} locks a row it finds, which
	 * writes it again (a nothing-changed night rewrote every text it had just found stored). A text is made only when
	 * it is not stored yet: a reused result's event names a text stored already, and cutting it out of its payload
	 * for nothing cost a twentieth of a nothing-changed night's analysing threads (bench/README.md, session 25).
	 *
	 * @param texts by digest
	 */
	void putAll(Map<String, Supplier<String>> texts) {
		if (texts.isEmpty()) {
			return;
		}
		TreeMap<String, Supplier<String>> missing = new TreeMap<>(texts);
		List<String> digests = List.copyOf(missing.keySet());
		for (int from = 0; from < digests.size(); from += DIGESTS_PER_QUERY) {
			List<String> some = digests.subList(from, Math.min(digests.size(), from + DIGESTS_PER_QUERY));
			jdbc.query(storedSql(some.size()), rs -> {
				missing.remove(rs.getString(1));
			}, some.toArray());
		}
		if (missing.isEmpty()) {
			return;
		}
		List<Map.Entry<String, String>> sorted = missing.entrySet()
			.stream()
			.map(text -> Map.entry(text.getKey(), text.getValue().get()))
			.toList();
		try {
			jdbc.batchUpdate(insertIfAbsent, sorted, sorted.size(), (ps, text) -> {
				ps.setString(1, text.getKey());
				ps.setString(2, text.getValue());
			});
		}
		catch (DuplicateKeyException raced) {
			// H2 only: another transaction stored one of them at the same moment; again one by one, it is there now
			for (Map.Entry<String, String> text : sorted) {
				try {
					jdbc.update(insertIfAbsent, text.getKey(), text.getValue());
				}
				catch (DuplicateKeyException alreadyThere) {
					// stored by the other transaction, with the same text
				}
			}
		}
	}
}
