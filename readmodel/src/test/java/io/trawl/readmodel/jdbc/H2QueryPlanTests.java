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
	void aJobsEventsAreReadInTheIndexsOrder() {
		assertThat(plan(JdbcEventStore.jobEventsSql(false, false), 7L)).contains("TRAWL_EVENT_BY_JOB")
			.contains("index sorted");
		assertThat(plan(JdbcEventStore.jobEventsSql(true, true), 7L, "4000", "8000")).contains("TRAWL_EVENT_BY_JOB")
			.contains("index sorted");
	}

	@Test
	void baseLookUpsFindEachKeyThroughTheIndex() {
		List<Object> arguments = new ArrayList<>(List.of("a", "b", "c"));
		arguments.add(7L);
		arguments.add("ANALYSED");
		assertThat(plan(JdbcEventStore.findAllSql(3), arguments.toArray())).contains("TRAWL_EVENT_BY_JOB")
			.containsIgnoringCase("SAMPLE_KEY = K.SAMPLE_KEY")
			.containsIgnoringCase("JOB_INSTANCE_ID = ");
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
