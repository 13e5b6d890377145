package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The streaming reads of a job on H2 read an index in order, a key at a time, as the plans H2 gives say: a read
 * that sorted or scanned the whole job for each page or batch of keys grew with the square of the job's samples.
 */
class H2QueryPlanTests {

	private static DataSource dataSource;

	@BeforeAll
	static void database() {
		dataSource = JdbcDatabases.h2();
		new JdbcEventStore(dataSource);
		new JdbcManifests(dataSource);
	}

	private static String plan(String sql, Object... arguments) {
		return new JdbcTemplate(dataSource).queryForObject("EXPLAIN " + sql, String.class, arguments);
	}

	@Test
	void aJobsEventsAreReadInTheKeysOrder() {
		assertThat(plan(JdbcEventStore.jobEventsSql(false, false), 7L)).contains("PRIMARY_KEY")
			.contains("index sorted");
		assertThat(plan(JdbcEventStore.jobEventsSql(true, true), 7L, "4000", "8000")).contains("PRIMARY_KEY")
			.contains("index sorted");
	}

	@Test
	void baseLookUpsFindEachKeyThroughTheKey() {
		assertThat(plan(JdbcEventStore.findAllSql(3), findAllArguments())).contains("PRIMARY_KEY")
			.containsIgnoringCase("SAMPLE_KEY = K.SAMPLE_KEY")
			.containsIgnoringCase("JOB_INSTANCE_ID = ");
	}

	/** The events of a database made before the key was the reads' order: its index serves the same reads. */
	@Test
	void aDatabaseKeyedOnTheEventIdAloneIsReadThroughItsIndex() {
		DataSource old = JdbcDatabases.h2();
		JdbcTemplate jdbc = new JdbcTemplate(old);
		jdbc.execute("CREATE TABLE trawl_event (event_id VARCHAR(400) PRIMARY KEY, job_instance_id BIGINT NOT NULL, "
				+ "job_execution_id BIGINT NOT NULL, sample_key VARCHAR(100) NOT NULL, kind VARCHAR(20) NOT NULL, "
				+ "recorded_at TIMESTAMP WITH TIME ZONE NOT NULL, payload TEXT NOT NULL, payload_digest VARCHAR(64))");
		jdbc.execute("CREATE INDEX trawl_event_by_job ON trawl_event (job_instance_id, sample_key, kind, event_id)");
		new JdbcEventStore(old);
		assertThat(jdbc.queryForObject("EXPLAIN " + JdbcEventStore.jobEventsSql(true, true), String.class, 7L, "4000",
				"8000")).contains("TRAWL_EVENT_BY_JOB").contains("index sorted");
		assertThat(jdbc.queryForObject("EXPLAIN " + JdbcEventStore.findAllSql(3), String.class, findAllArguments()))
			.contains("TRAWL_EVENT_BY_JOB")
			.containsIgnoringCase("SAMPLE_KEY = K.SAMPLE_KEY");
	}

	private static Object[] findAllArguments() {
		List<Object> arguments = new ArrayList<>(List.of("a", "b", "c"));
		arguments.add(7L);
		arguments.add("ANALYSED");
		return arguments.toArray();
	}

	@Test
	void storedDocumentsAreFoundByTheirKey() {
		assertThat(plan(JdbcDocuments.storedSql(2), "a", "b")).containsIgnoringCase("DIGEST = K.DIGEST");
	}

	@Test
	void aManifestIsPagedInItsKeysOrder() {
		assertThat(plan(JdbcManifests.pageSql("location", true, true), 7L, "a", "z")).contains("index sorted");
		assertThat(plan(JdbcManifests.pageSql("location", false, false), 7L)).contains("index sorted");
	}
}
