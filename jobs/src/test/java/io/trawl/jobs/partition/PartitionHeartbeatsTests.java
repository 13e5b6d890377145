package io.trawl.jobs.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.trawl.readmodel.jdbc.JdbcDatabases;

/** The partitions' heartbeats, on H2 (the embedded default) and on PostgreSQL (a cluster's job repository). */
class PartitionHeartbeatsTests {

	static List<DataSource> databases() {
		return List.of(JdbcDatabases.h2(), JdbcDatabases.postgres());
	}

	@ParameterizedTest
	@MethodSource("databases")
	void aWorkerBeatsTheManagerAsksForATakeoverAndTheNextWorkerTakesIt(DataSource database) throws Exception {
		PartitionHeartbeats heartbeats = new PartitionHeartbeats(database);
		long id = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
		assertThat(heartbeats.find(id)).isEmpty();

		assertThat(heartbeats.started(id, "first")).isEqualTo(1);
		PartitionHeartbeats.Beat first = heartbeats.find(id).orElseThrow();
		assertThat(first.worker()).isEqualTo("first");
		assertThat(first.takeoverPending()).isFalse();

		Thread.sleep(20);
		heartbeats.beat(List.of(id), "someone-else"); // only the worker that holds it beats for it
		assertThat(heartbeats.find(id).orElseThrow().beatMillis()).isEqualTo(first.beatMillis());
		heartbeats.beat(List.of(id), "first");
		assertThat(heartbeats.find(id).orElseThrow().beatMillis()).isGreaterThan(first.beatMillis());

		Thread.sleep(20);
		heartbeats.takeoverRequested(id);
		assertThat(heartbeats.find(id).orElseThrow().takeoverPending()).isTrue();

		Thread.sleep(20);
		assertThat(heartbeats.started(id, "second")).isEqualTo(2);
		PartitionHeartbeats.Beat second = heartbeats.find(id).orElseThrow();
		assertThat(second.worker()).isEqualTo("second");
		assertThat(second.takeoverPending()).as("taken over since the request").isFalse();
		assertThat(heartbeats.all(List.of(id, id + 1))).containsOnlyKeys(id);
	}
}
