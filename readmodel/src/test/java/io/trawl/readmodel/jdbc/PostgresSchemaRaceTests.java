package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Processes of a cluster start at once on a new PostgreSQL database, and each creates the tables it needs. Two
 * concurrent {@code CREATE TABLE IF NOT EXISTS} of one table can both find it missing, and the loser gets a duplicate
 * key in PostgreSQL's catalog: a worker died of it at start-up once. Every process must start.
 */
class PostgresSchemaRaceTests {

	private static final int PROCESSES = 6;
	private static final int ROUNDS = 8;

	@Test
	void processesCreatingTheTablesAtOnceAllStart() throws Exception {
		JdbcDatabases.postgres();
		ExecutorService pool = Executors.newFixedThreadPool(PROCESSES);
		try {
			for (int round = 0; round < ROUNDS; round++) {
				String schema = "schema_race_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
				JdbcDatabases.executeOnPostgres("CREATE SCHEMA " + schema);
				try {
					CyclicBarrier together = new CyclicBarrier(PROCESSES);
					List<Future<?>> started = new ArrayList<>();
					for (int p = 0; p < PROCESSES; p++) {
						DataSource own = JdbcDatabases.postgresInSchema(schema);
						started.add(pool.submit(() -> {
							together.await();
							new JdbcEventStore(own);
							new JdbcManifests(own);
							return null;
						}));
					}
					for (Future<?> process : started) {
						process.get(60, TimeUnit.SECONDS);
					}
					Integer tables = new JdbcTemplate(JdbcDatabases.postgresInSchema(schema)).queryForObject(
							"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?", Integer.class,
							schema);
					assertThat(tables).isEqualTo(JdbcSchema.QUERY_TABLES.size() + 2 + 4); // + events, documents
				}
				finally {
					JdbcDatabases.executeOnPostgres("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
	}
}
