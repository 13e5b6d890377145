package io.trawl.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.jdbc.JdbcEventStore;

/**
 * The embedded H2 database as {@code application.yml} opens it: two partitions that meet the same content write the
 * same event, and the second waits for the first's chunk to commit instead of failing after H2's default lock timeout
 * (1 to 2 s, which a loaded machine's commit can exceed); the event is stored once.
 */
class EmbeddedDatabaseLockTests {

	@TempDir
	Path dataDir;

	@Test
	void aSecondWriterOfTheSameEventWaitsForTheFirstChunksCommit() throws Exception {
		PropertySource<?> yaml = new YamlPropertySourceLoader()
			.load("application", new ClassPathResource("application.yml")).get(0);
		String url = ((Object) yaml.getProperty("spring.datasource.url")).toString()
			.replace("${trawl.data-dir}", dataDir.toString());
		DriverManagerDataSource dataSource = new DriverManagerDataSource(url, "sa", "");
		JdbcEventStore events = new JdbcEventStore(dataSource);
		TransactionTemplate chunk = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		ResultEvent event = new ResultEvent(ResultEvent.analysedId(7, "a".repeat(64)), 7, 1, "a".repeat(64),
				EventKind.ANALYSED, Instant.now(), "{\"verdict\":\"clean\"}");

		CountDownLatch written = new CountDownLatch(1);
		CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> chunk.execute(status -> {
			int stored = events.append(List.of(event));
			written.countDown();
			sleep(Duration.ofSeconds(3)); // a slow commit on a loaded machine
			return stored;
		}));
		assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
		long started = System.nanoTime();
		Integer second = chunk.execute(status -> events.append(List.of(event)));

		assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
		assertThat(second).as("stored by the first writer already").isZero();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it waited for the first commit")
			.isGreaterThan(Duration.ofSeconds(1));
		assertThat(events.count(7, EventKind.ANALYSED)).isEqualTo(1);
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}
}
