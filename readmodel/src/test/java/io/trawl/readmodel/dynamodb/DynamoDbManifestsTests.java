package io.trawl.readmodel.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import io.trawl.readmodel.contract.ManifestsContract;
import io.trawl.readmodel.manifest.Manifests;
import io.trawl.readmodel.manifest.Manifests.Entry;

class DynamoDbManifestsTests extends ManifestsContract {

	private static final DynamoDbTableNames NAMES = new DynamoDbTableNames("manifests-test");
	private static final AtomicInteger QUERIES = new AtomicInteger();

	private static Dynalite dynalite;
	private static DynamoDbClient client;

	@BeforeAll
	static void dynalite() {
		dynalite = Dynalite.start();
		client = dynalite.client(b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
			@Override
			public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
				if (context.request() instanceof QueryRequest) {
					QUERIES.incrementAndGet();
				}
			}
		})));
		DynamoDbTables.createIfMissing(client, NAMES);
	}

	@AfterAll
	static void stop() {
		client.close();
		dynalite.close();
	}

	@Override
	protected Manifests newManifests() {
		return new DynamoDbManifests(client, NAMES);
	}

	@Test
	void theFirstEntryOfALargeJobCostsOnePageOfEachShard() {
		putLargeJob();
		int before = QUERIES.get();

		try (Stream<Entry> range = manifests.range(job, null, null)) {
			assertThat(range.findFirst()).map(Entry::location).contains(largeJobLocation(0));
		}

		assertThat(QUERIES.get() - before).isEqualTo(DynamoDbManifests.SHARDS);
	}

	/**
	 * Beyond what the contract asks: locations as long as the sources allow (an S3 key of 1,024 UTF-8 bytes, a
	 * folder path of many 255-byte names) all come back in order, also where many share a prefix longer than a
	 * DynamoDB sort key, and a lone surrogate survives.
	 */
	@Test
	void locationsLongerThanASortKeyAllComeBackInOrder() {
		List<String> locations = new ArrayList<>();
		String s3Folder = "k".repeat(1_000) + "/";
		for (String name : List.of("a", "b", "\u00e9", "\uD83D\uDE00", "\uFF01", "x".repeat(23), "\uD83D")) {
			locations.add(s3Folder + name);
		}
		String name = "n".repeat(250) + "/";
		for (int depth = 1; depth <= 64; depth *= 2) {
			String folder = name.repeat(depth);
			for (int i = 0; i < 40; i++) {
				locations.add(folder + Integer.toString(i * 37 % 40, 7) + (i % 2 == 0 ? ".exe" : "\uD83D\uDE00"));
			}
		}
		locations.add("\uDE00lone-low" + "z".repeat(2_000));
		manifests.put(job, locations.stream().map(l -> new Entry(l, "id-" + l.length(), null)).toList());
		List<String> sorted = locations.stream().sorted().toList();

		assertThat(manifests.range(job, null, null).map(Entry::location).toList()).containsExactlyElementsOf(sorted);
		for (int i = 0; i < sorted.size(); i += 17) {
			String after = sorted.get(i);
			String last = sorted.get(Math.min(sorted.size() - 1, i + 23));
			assertThat(manifests.range(job, after, last).map(Entry::location).toList())
				.containsExactlyElementsOf(sorted.subList(i + 1, Math.min(sorted.size(), i + 24)));
		}
	}

	@Test
	void aKeyIsNeverLongerThanDynamoDbAllows() {
		for (String location : List.of("a".repeat(5_000), "\uD83D\uDE00".repeat(3_000), "\u0800".repeat(2_000),
				"é".repeat(1_000), "")) {
			String key = LocationKey.of(location).key();
			assertThat(key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1_024);
			assertThat(LocationKey.decode(LocationKey.of(location).whole())).isEqualTo(location);
		}
	}
}
