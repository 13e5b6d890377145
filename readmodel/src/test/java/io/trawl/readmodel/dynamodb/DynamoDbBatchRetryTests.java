package io.trawl.readmodel.dynamodb;

import static io.trawl.readmodel.contract.EventStoreContract.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import io.trawl.readmodel.query.SampleView;

/**
 * DynamoDB may accept only part of a BatchWriteItem. An interceptor makes that happen for real: it sends only half
 * of each batch to dynalite and hands the other half back as UnprocessedItems, as a throttled table would.
 */
class DynamoDbBatchRetryTests {

	private static final DynamoDbTableNames NAMES = new DynamoDbTableNames("retry-test");
	private static final HalfBatches HALF_BATCHES = new HalfBatches();

	private static Dynalite dynalite;
	private static DynamoDbClient throttled;

	private long job;

	@BeforeAll
	static void dynalite() {
		dynalite = Dynalite.start();
		try (DynamoDbClient plain = dynalite.client()) {
			DynamoDbTables.createIfMissing(plain, NAMES);
		}
		throttled = dynalite.client(b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(HALF_BATCHES)));
	}

	@AfterAll
	static void stop() {
		throttled.close();
		dynalite.close();
	}

	@BeforeEach
	void givenAJob() {
		job = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);
	}

	@Test
	void ruleHitsLeftUnprocessedAreRetriedUntilAllAreStored() {
		HALF_BATCHES.shortenNext(3);
		List<String> hashes = IntStream.range(0, 60).mapToObj(i -> sha("hit-" + i)).sorted().toList();

		new DynamoDbQueryTables(throttled, NAMES).putRuleHits(job, "Evil", hashes);

		assertThat(HALF_BATCHES.shortened()).isEqualTo(3);
		assertThat(new DynamoDbQueryTables(throttled, NAMES).ruleHits(job, "Evil")).containsExactlyElementsOf(hashes);
	}

	@Test
	void sampleRowsLeftUnprocessedAreRetriedUntilAllAreStored() {
		HALF_BATCHES.shortenNext(5);
		List<SampleView> views = IntStream.range(0, 40)
			.mapToObj(i -> new SampleView(job, sha("row-" + i), sha("row-" + i), "clean",
					Instant.parse("2026-11-25T00:00:00Z"), "{\"n\":" + i + "}"))
			.toList();
		DynamoDbQueryTables tables = new DynamoDbQueryTables(throttled, NAMES);

		tables.putSamples(views);

		assertThat(HALF_BATCHES.shortened()).isEqualTo(5);
		List<SampleView> rows = new ArrayList<>();
		tables.forEachSample(job, rows::add);
		assertThat(rows).containsExactlyInAnyOrderElementsOf(views);
		assertThat(rows.stream().map(SampleView::sampleKey).toList()).isSorted();
	}

	@Test
	void aTableThatNeverCatchesUpFailsLoudlyInsteadOfDroppingItems() {
		HALF_BATCHES.shortenNext(Integer.MAX_VALUE);
		DynamoDbQueryTables tables = new DynamoDbQueryTables(throttled, NAMES, 2,
				new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), 4));
		try {
			// halving 25 items four times still leaves two unprocessed
			List<String> hashes = IntStream.range(0, 25).mapToObj(i -> sha("never-" + i)).toList();
			assertThatThrownBy(() -> tables.putRuleHits(job, "Evil", hashes))
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("unprocessed after 4 attempts");
		}
		finally {
			HALF_BATCHES.shortenNext(0);
		}
	}

	/** Sends the first half of the next N batches (of two items or more) and reports the rest unprocessed. */
	static final class HalfBatches implements ExecutionInterceptor {

		private static final ExecutionAttribute<Map<String, List<WriteRequest>>> HELD_BACK = new ExecutionAttribute<>(
				"trawl.test.heldBack");

		private final AtomicInteger toShorten = new AtomicInteger();
		private final AtomicInteger shortened = new AtomicInteger();

		void shortenNext(int batches) {
			toShorten.set(batches);
			shortened.set(0);
		}

		int shortened() {
			return shortened.get();
		}

		@Override
		public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
			if (!(context.request() instanceof BatchWriteItemRequest batch)) {
				return context.request();
			}
			int size = batch.requestItems().values().stream().mapToInt(List::size).sum();
			if (size < 2 || toShorten.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
				return batch;
			}
			shortened.incrementAndGet();
			Map<String, List<WriteRequest>> sent = new HashMap<>();
			Map<String, List<WriteRequest>> heldBack = new HashMap<>();
			batch.requestItems().forEach((table, requests) -> {
				int half = Math.max(1, requests.size() / 2);
				sent.put(table, requests.subList(0, half));
				if (half < requests.size()) {
					heldBack.put(table, requests.subList(half, requests.size()));
				}
			});
			attributes.putAttribute(HELD_BACK, heldBack);
			return batch.toBuilder().requestItems(sent).build();
		}

		@Override
		public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
			Map<String, List<WriteRequest>> heldBack = attributes.getAttribute(HELD_BACK);
			if (heldBack == null || !(context.response() instanceof BatchWriteItemResponse response)) {
				return context.response();
			}
			return response.toBuilder().unprocessedItems(heldBack).build();
		}
	}
}
