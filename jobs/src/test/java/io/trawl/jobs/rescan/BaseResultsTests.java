package io.trawl.jobs.rescan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;
import io.trawl.readmodel.jdbc.JdbcEventStore;
import io.trawl.worker.analysis.hash.HashAnalyzer;

/**
 * A partition's step reads a whole chunk, a batch of {@link SampleRangeReader#AHEAD} locations at a time, before it
 * processes it: the base results of every batch the chunk spans must still be there when the processor asks.
 */
class BaseResultsTests {

	private static final long BASE = 7;
	private static final int CONTENTS = 1_000;

	private final List<String> contents = new ArrayList<>();
	private final AtomicInteger alone = new AtomicInteger();
	private EventStore events;

	@BeforeEach
	void givenABaseJobOfAThousandContents() {
		JdbcEventStore store = new JdbcEventStore(new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID()
				+ ";DB_CLOSE_DELAY=-1", "sa", ""));
		List<ResultEvent> analysed = new ArrayList<>();
		for (int i = 0; i < CONTENTS; i++) {
			String sha256 = HashAnalyzer.sha256Hex(("content " + i).getBytes(StandardCharsets.UTF_8));
			contents.add(sha256);
			analysed.add(new ResultEvent(ResultEvent.analysedId(BASE, sha256), BASE, BASE, sha256, EventKind.ANALYSED,
					Instant.EPOCH, "{\"sha256\":\"" + sha256 + "\",\"n\":" + i + "}"));
		}
		store.append(analysed);
		events = counting(store);
	}

	@Test
	void chunksOfFiveHundredFindEveryUnchangedContentOfTheBatchesTheySpan() {
		BaseResults results = new BaseResults(events, BASE, BaseResults.batchesFor(500));

		assertThat(readInChunksOf(500, results)).isEqualTo(CONTENTS);
		assertThat(alone).hasValue(0);
	}

	/** What two batches kept did with chunks of 500: a chunk's first batches were gone when it was processed. */
	@Test
	void twoBatchesKeptForChunksOfFiveHundredLookUpTheFirstOnesAgainAlone() {
		BaseResults results = new BaseResults(events, BASE, 2);

		assertThat(readInChunksOf(500, results)).isEqualTo(CONTENTS);
		assertThat(alone.get()).isGreaterThanOrEqualTo(200);
	}

	@Test
	void aChunkSpansOneBatchMoreThanItsSizeFills() {
		assertThat(BaseResults.batchesFor(20)).isEqualTo(2);
		assertThat(BaseResults.batchesFor(SampleRangeReader.AHEAD)).isEqualTo(2);
		assertThat(BaseResults.batchesFor(SampleRangeReader.AHEAD + 1)).isEqualTo(3);
		assertThat(BaseResults.batchesFor(500)).isEqualTo(4);
	}

	/**
	 * As a step does: each chunk read whole (a batch prefetched whenever the reader's look-ahead is empty), then each
	 * of its samples processed. Returns how many were found with their own stored result.
	 */
	private int readInChunksOf(int chunkSize, BaseResults results) {
		int found = 0;
		for (int from = 0; from < CONTENTS; from += chunkSize) {
			int to = Math.min(CONTENTS, from + chunkSize);
			for (int i = from; i < to; i++) {
				if (i % SampleRangeReader.AHEAD == 0) {
					results.prefetch(contents.subList(i, Math.min(CONTENTS, i + SampleRangeReader.AHEAD)));
				}
			}
			for (int i = from; i < to; i++) {
				int n = i;
				found += results.analysed(contents.get(i)).filter(e -> e.payload().endsWith("\"n\":" + n + "}"))
					.isPresent() ? 1 : 0;
			}
		}
		return found;
	}

	/** The store as it is, counting the contents looked up one at a time. */
	private EventStore counting(EventStore store) {
		return new EventStore() {
			@Override
			public int append(List<ResultEvent> appended) {
				return store.append(appended);
			}

			@Override
			public void forEach(long jobInstanceId, Consumer<ResultEvent> action) {
				store.forEach(jobInstanceId, action);
			}

			@Override
			public long count(long jobInstanceId, EventKind kind) {
				return store.count(jobInstanceId, kind);
			}

			@Override
			public List<ResultEvent> find(long jobInstanceId, String sampleKey, EventKind kind) {
				alone.incrementAndGet();
				return store.find(jobInstanceId, sampleKey, kind);
			}

			@Override
			public Map<String, List<ResultEvent>> findAll(long jobInstanceId, Collection<String> sampleKeys,
					EventKind kind) {
				return store.findAll(jobInstanceId, sampleKeys, kind);
			}
		};
	}
}
