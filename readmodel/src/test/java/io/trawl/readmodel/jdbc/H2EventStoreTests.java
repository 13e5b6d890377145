package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import io.trawl.readmodel.contract.EventStoreContract;
import io.trawl.readmodel.event.EventStore;

class H2EventStoreTests extends EventStoreContract {

	private static DataSource dataSource;

	@BeforeAll
	static void database() {
		dataSource = JdbcDatabases.h2();
	}

	@Override
	protected EventStore newStore() {
		return new JdbcEventStore(dataSource);
	}

	/**
	 * H2 reads a base job's events once a key, through the index on (job, sample key): with {@code sample_key IN
	 * (...)} it read every event of the job for every batch of keys, and its plan named the job alone.
	 */
	@Test
	void findAllLooksUpEachKeyThroughTheIndex() {
		new JdbcEventStore(dataSource);
		List<Object> args = new ArrayList<>(List.of("a", "b", "c"));
		args.add(7L);
		args.add("ANALYSED");
		String plan = new JdbcTemplate(dataSource).queryForObject("EXPLAIN " + JdbcEventStore.findAllSql(3),
				String.class, args.toArray());

		assertThat(plan).containsIgnoringCase("TRAWL_EVENT_BY_JOB")
			.containsIgnoringCase("SAMPLE_KEY = K.SAMPLE_KEY")
			.containsIgnoringCase("JOB_INSTANCE_ID = ");
	}
}
