package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;

/**
 * Two chunks' transactions that share events (two partitions meeting the same contents) append them at once, each
 * in its own order: one waits for the other's commit, and neither for the other in a cycle, so both commit and each
 * event is stored once. Given in opposite orders and written as given, the two would deadlock.
 */
class JdbcEventLockOrderTests {

	private static final int EVENTS = 2_000;

	private static final int ROUNDS = 4;

	/** With the embedded default's lock timeout: the waiting chunk waits for the other's whole chunk to commit. */
	@Test
	void onH2TwoTransactionsSharingEventsInOppositeOrdersBothCommit() throws Exception {
		twoTransactionsSharingEventsInOppositeOrdersBothCommit(new DriverManagerDataSource(
				"jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=60000", "sa", ""));
	}

	@Test
	void onPostgresTwoTransactionsSharingEventsInOppositeOrdersBothCommit() throws Exception {
		twoTransactionsSharingEventsInOppositeOrdersBothCommit(JdbcDatabases.postgres());
	}

	private static void twoTransactionsSharingEventsInOppositeOrdersBothCommit(DataSource dataSource)
			throws Exception {
		EventStore store = new JdbcEventStore(dataSource);
		TransactionTemplate chunk = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		ExecutorService partitions = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < ROUNDS; round++) {
				long job = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);
				List<ResultEvent> ascending = IntStream.range(0, EVENTS).mapToObj(i -> event(job, i)).toList();
				List<ResultEvent> descending = new ArrayList<>(ascending);
				Collections.reverse(descending);
				CyclicBarrier together = new CyclicBarrier(2);
				List<Future<Integer>> stored = new ArrayList<>();
				for (List<ResultEvent> events : List.of(ascending, descending)) {
					stored.add(partitions.submit(() -> chunk.execute(tx -> {
						await(together);
						return store.append(events);
					})));
				}

				int total = 0;
				for (Future<Integer> one : stored) {
					total += one.get(120, TimeUnit.SECONDS);
				}
				assertThat(total).as("round %d: events stored by the two transactions", round).isEqualTo(EVENTS);
				assertThat(store.count(job, EventKind.ANALYSED)).isEqualTo(EVENTS);
				// and each text is read back exactly, the large ones stored once
				assertThat(store.findAll(job, ascending.stream().map(ResultEvent::sampleKey).toList(),
						EventKind.ANALYSED).values().stream().map(found -> found.get(0).payload()))
					.containsExactlyInAnyOrderElementsOf(ascending.stream().map(ResultEvent::payload).toList());
				assertThat(new org.springframework.jdbc.core.JdbcTemplate(dataSource).queryForObject(
						"SELECT COUNT(*) FROM trawl_document WHERE body LIKE ?", Integer.class, "%\"job\":" + job + ",%"))
					.isEqualTo(EVENTS / 2);
			}
		}
		finally {
			partitions.shutdownNow();
		}
	}

	/** Every other event as large as a real result, so its text is stored once ({@link JdbcDocuments}) by both. */
	private static ResultEvent event(long job, int i) {
		String sha = String.format("%064x", i);
		return new ResultEvent(ResultEvent.analysedId(job, sha), job, 1, sha, EventKind.ANALYSED, Instant.now(),
				"{\"sha256\":\"" + sha + "\",\"job\":" + job + (i % 2 == 0 ? ",\"pad\":\"" + "x".repeat(600) + "\"" : "")
						+ "}");
	}

	private static void await(CyclicBarrier barrier) {
		try {
			barrier.await(30, TimeUnit.SECONDS);
		}
		catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
