package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import io.trawl.readmodel.contract.QueryTablesContract;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.QueryTables;

/**
 * The query tables on a PostgreSQL database whose collation sorts by words, as en_US.UTF-8 does: punctuation is
 * skipped, so the key of an unreadable sample ({@code "!" + sha256}) sorts among the keys that start as its hex does,
 * not before them as in Java. Here the job rows' key column has such a collation (ICU's en-US with punctuation
 * shifted), made before the tables are.
 */
class PostgresWordOrderQueryTablesTests extends QueryTablesContract {

	private static final String SCHEMA = "word_order_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private static DataSource dataSource;

	@BeforeAll
	static void database() {
		String jobRows = Arrays.stream(JdbcSchema.DDL).filter(ddl -> ddl.contains("TABLE IF NOT EXISTS trawl_job_sample"))
			.findFirst().orElseThrow();
		JdbcDatabases.executeOnPostgres("CREATE SCHEMA " + SCHEMA);
		JdbcDatabases.executeOnPostgres("CREATE COLLATION " + SCHEMA + ".words (provider = icu, locale = 'en-US-u-ka-shifted')");
		JdbcDatabases.executeOnPostgres(jobRows.replace("trawl_job_sample", SCHEMA + ".trawl_job_sample")
			.replace("sample_key VARCHAR(100)", "sample_key VARCHAR(100) COLLATE " + SCHEMA + ".words"));
		dataSource = JdbcDatabases.postgresInSchema(SCHEMA);
	}

	@AfterAll
	static void dropSchema() {
		JdbcDatabases.executeOnPostgres("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
	}

	@Override
	protected EventStore newEventStore() {
		return new JdbcEventStore(dataSource);
	}

	@Override
	protected QueryTables newQueryTables() {
		return new JdbcQueryTables(dataSource);
	}

	@Test
	void theKeyColumnSortsByWords() {
		List<String> sorted = new JdbcTemplate(dataSource).queryForList("SELECT k FROM (VALUES ('!ff'), ('fa'), ('fe')) "
				+ "v(k) ORDER BY k COLLATE " + SCHEMA + ".words", String.class);
		assertThat(sorted).as("Java puts \"!ff\" first").containsExactly("fa", "fe", "!ff");
	}
}
