package io.trawl.readmodel.jdbc;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import io.trawl.readmodel.manifest.Manifests;

/**
 * Manifests, ruleset fingerprints and bases in relational tables, beside the events (the same DDL on H2 and
 * PostgreSQL). A range is read in keyset pages of {@link #PAGE} rows, each its own short query: memory stays bounded
 * whatever the job's size, on PostgreSQL too (whose driver buffers a whole result outside a transaction, fetch size
 * or not), and no connection is held between a reader's chunks.
 */
public final class JdbcManifests implements Manifests {

	static final int PAGE = 1000;

	/**
	 * Longer locations get no entry: an index row on PostgreSQL holds at most about 2,700 bytes. A location without an
	 * entry is simply read and analysed again by the next job, which is exact.
	 */
	static final int LONGEST_LOCATION = 1000;

	private static final String[] DDL = {
			"""
			CREATE TABLE IF NOT EXISTS trawl_manifest (
			  job_instance_id BIGINT NOT NULL,
			  location VARCHAR(4000) NOT NULL,
			  identity VARCHAR(1000),
			  sha256 VARCHAR(64),
			  PRIMARY KEY (job_instance_id, location))""",
			"""
			CREATE TABLE IF NOT EXISTS trawl_ruleset_rule (
			  ruleset_version VARCHAR(200) NOT NULL,
			  rule_id VARCHAR(1000) NOT NULL,
			  fingerprint VARCHAR(64) NOT NULL,
			  PRIMARY KEY (ruleset_version, rule_id))""",
			// written after its rules: a version listed here has all of them
			"""
			CREATE TABLE IF NOT EXISTS trawl_ruleset (
			  ruleset_version VARCHAR(200) PRIMARY KEY,
			  rules INTEGER NOT NULL)""",
			"""
			CREATE TABLE IF NOT EXISTS trawl_manifest_basis (
			  source VARCHAR(2000) PRIMARY KEY,
			  job_instance_id BIGINT NOT NULL,
			  ruleset_version VARCHAR(200) NOT NULL,
			  settings VARCHAR(200) NOT NULL)""" };

	private final JdbcTemplate jdbc;
	private final SqlDialect dialect;
	/** Locations compare as Java Strings do, not by the database's locale: "C" on PostgreSQL, H2's default. */
	private final String byLocation;

	public JdbcManifests(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.dialect = SqlDialect.of(dataSource);
		SchemaDdl.create(jdbc, DDL);
		this.byLocation = dialect == SqlDialect.POSTGRESQL ? "location COLLATE \"C\"" : "location";
		if (dialect == SqlDialect.POSTGRESQL) {
			SchemaDdl.create(jdbc, "CREATE INDEX IF NOT EXISTS trawl_manifest_in_order ON trawl_manifest "
					+ "(job_instance_id, location COLLATE \"C\")");
		}
	}

	@Override
	public void put(long jobInstanceId, List<Entry> entries) {
		List<Entry> kept = entries.stream().filter(e -> e.location().length() <= LONGEST_LOCATION).toList();
		if (kept.isEmpty()) {
			return;
		}
		String sql = switch (dialect) {
			case POSTGRESQL -> "INSERT INTO trawl_manifest (job_instance_id, location, identity, sha256) "
					+ "VALUES (?, ?, ?, ?) ON CONFLICT (job_instance_id, location) "
					+ "DO UPDATE SET identity = EXCLUDED.identity, sha256 = EXCLUDED.sha256";
			case H2 -> "MERGE INTO trawl_manifest (job_instance_id, location, identity, sha256) "
					+ "KEY (job_instance_id, location) VALUES (?, ?, ?, ?)";
		};
		jdbc.batchUpdate(sql, kept, kept.size(), (ps, entry) -> {
			ps.setLong(1, jobInstanceId);
			ps.setString(2, entry.location());
			ps.setString(3, entry.identity());
			ps.setString(4, entry.sha256());
		});
	}

	@Override
	public Stream<Entry> range(long jobInstanceId, String after, String last) {
		Iterator<Entry> pages = new Iterator<>() {
			private List<Entry> page = List.of();
			private int next;
			private String from = after;
			private boolean exhausted;

			@Override
			public boolean hasNext() {
				if (next == page.size() && !exhausted) {
					page = page(jobInstanceId, from, last);
					next = 0;
					exhausted = page.size() < PAGE;
					if (!page.isEmpty()) {
						from = page.get(page.size() - 1).location();
					}
				}
				return next < page.size();
			}

			@Override
			public Entry next() {
				if (!hasNext()) {
					throw new NoSuchElementException();
				}
				return page.get(next++);
			}
		};
		return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages,
				Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false);
	}

	private List<Entry> page(long jobInstanceId, String after, String last) {
		List<Object> arguments = new ArrayList<>(List.of(jobInstanceId));
		if (after != null) {
			arguments.add(after);
		}
		if (last != null) {
			arguments.add(last);
		}
		return jdbc.query(pageSql(byLocation, after != null, last != null),
				(rs, row) -> new Entry(rs.getString(1), rs.getString(2), rs.getString(3)), arguments.toArray());
	}

	/**
	 * A page of a job's manifest, after a location and up to one when asked. Ordered by the job too, the key's first
	 * column: without it H2 sorted every location after the cursor for each page, a cost that grew with the square
	 * of a job's locations.
	 */
	static String pageSql(String byLocation, boolean after, boolean last) {
		return "SELECT location, identity, sha256 FROM trawl_manifest WHERE job_instance_id = ?"
				+ (after ? " AND " + byLocation + " > ?" : "") + (last ? " AND " + byLocation + " <= ?" : "")
				+ " ORDER BY job_instance_id, " + byLocation + " LIMIT " + PAGE;
	}

	@Override
	public void putRuleset(String rulesetVersion, Map<String, String> fingerprints) {
		List<Map.Entry<String, String>> rules = List.copyOf(fingerprints.entrySet());
		String rule = switch (dialect) {
			case POSTGRESQL -> "INSERT INTO trawl_ruleset_rule (ruleset_version, rule_id, fingerprint) VALUES (?, ?, ?) "
					+ "ON CONFLICT (ruleset_version, rule_id) DO NOTHING";
			case H2 -> "MERGE INTO trawl_ruleset_rule (ruleset_version, rule_id, fingerprint) "
					+ "KEY (ruleset_version, rule_id) VALUES (?, ?, ?)";
		};
		jdbc.batchUpdate(rule, rules, PAGE, (ps, entry) -> {
			ps.setString(1, rulesetVersion);
			ps.setString(2, entry.getKey());
			ps.setString(3, entry.getValue());
		});
		jdbc.update(switch (dialect) {
			case POSTGRESQL -> "INSERT INTO trawl_ruleset (ruleset_version, rules) VALUES (?, ?) "
					+ "ON CONFLICT (ruleset_version) DO NOTHING";
			case H2 -> "MERGE INTO trawl_ruleset (ruleset_version, rules) KEY (ruleset_version) VALUES (?, ?)";
		}, rulesetVersion, rules.size());
	}

	@Override
	public Optional<Map<String, String>> ruleset(String rulesetVersion) {
		List<Integer> stored = jdbc.queryForList("SELECT rules FROM trawl_ruleset WHERE ruleset_version = ?",
				Integer.class, rulesetVersion);
		if (stored.isEmpty()) {
			return Optional.empty();
		}
		Map<String, String> fingerprints = new LinkedHashMap<>();
		jdbc.query("SELECT rule_id, fingerprint FROM trawl_ruleset_rule WHERE ruleset_version = ? ORDER BY rule_id",
				rs -> {
					fingerprints.put(rs.getString(1), rs.getString(2));
				}, rulesetVersion);
		return fingerprints.size() == stored.get(0) ? Optional.of(fingerprints) : Optional.empty();
	}

	@Override
	public void putBasis(Basis basis) {
		String sql = switch (dialect) {
			case POSTGRESQL -> "INSERT INTO trawl_manifest_basis (source, job_instance_id, ruleset_version, settings) "
					+ "VALUES (?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET job_instance_id = EXCLUDED.job_instance_id, "
					+ "ruleset_version = EXCLUDED.ruleset_version, settings = EXCLUDED.settings "
					+ "WHERE trawl_manifest_basis.job_instance_id <= EXCLUDED.job_instance_id";
			case H2 -> "MERGE INTO trawl_manifest_basis t USING (VALUES (CAST(? AS VARCHAR(2000)), CAST(? AS BIGINT), "
					+ "CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)))) s(source, job_instance_id, ruleset_version, "
					+ "settings) ON t.source = s.source "
					+ "WHEN MATCHED AND t.job_instance_id <= s.job_instance_id THEN UPDATE SET "
					+ "job_instance_id = s.job_instance_id, ruleset_version = s.ruleset_version, settings = s.settings "
					+ "WHEN NOT MATCHED THEN INSERT (source, job_instance_id, ruleset_version, settings) "
					+ "VALUES (s.source, s.job_instance_id, s.ruleset_version, s.settings)";
		};
		jdbc.update(sql, basis.source(), basis.jobInstanceId(), basis.rulesetVersion(), basis.settings());
	}

	@Override
	public Optional<Basis> basis(String source) {
		return jdbc.query("SELECT source, job_instance_id, ruleset_version, settings FROM trawl_manifest_basis "
				+ "WHERE source = ?", (rs, row) -> new Basis(rs.getString(1), rs.getLong(2), rs.getString(3),
						rs.getString(4)), source).stream().findFirst();
	}
}
