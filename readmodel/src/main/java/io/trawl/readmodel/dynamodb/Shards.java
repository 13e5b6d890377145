package io.trawl.readmodel.dynamodb;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * A job's rows are spread over 256 partition keys, {@code job#00} to {@code job#ff}, by the first two hex digits of
 * the sample's sha256, so a rescan of millions of samples writes to 256 partitions instead of one.
 * <p>
 * Because the shard is a prefix of the sha256, the shards also split the key space in order: reading shards 00..ff
 * one after the other gives readable samples in sha256 order. Unreadable samples ({@code "!" + sha256}) sort before
 * every readable one, so they are read in a first pass over all shards.
 */
final class Shards {

	static final List<String> ALL;
	static final int READ_AHEAD = 8;

	static {
		List<String> all = new ArrayList<>(256);
		for (int i = 0; i < 256; i++) {
			all.add(String.format("%02x", i));
		}
		ALL = List.copyOf(all);
	}

	private Shards() {
	}

	/** The shard of a sample key: its first two hex digits, after the {@code "!"} of an unreadable sample. */
	static String of(String sampleKey) {
		String hash = sampleKey.startsWith("!") ? sampleKey.substring(1) : sampleKey;
		if (hash.length() != 64 || !isLowerHex(hash)) {
			throw new IllegalArgumentException("The sample key '" + sampleKey
					+ "' is not a lowercase hex sha256 (optionally after '!'), so it cannot be sharded.");
		}
		return hash.substring(0, 2);
	}

	/** Slice {@code slice} of {@code slices} contiguous groups of the 256 shards, as even as 256 allows. */
	static List<String> slice(int slice, int slices) {
		return ALL.subList(slice * ALL.size() / slices, (slice + 1) * ALL.size() / slices);
	}

	static String pk(long jobInstanceId, String shard) {
		return jobInstanceId + "#" + shard;
	}

	/**
	 * Visits a job's items in sort-key order across all shards. The first pages of the next few shards are fetched
	 * ahead in parallel, so memory holds at most {@link #READ_AHEAD} + 1 pages whatever the job's size.
	 * @param unreadablePrefix the sort-key prefix of unreadable samples' items
	 * @param readableFrom a sort key below every readable sample's items and above every unreadable one's
	 */
	static void forEachInOrder(DynamoDbClient client, Fanout fanout, String table, long jobInstanceId,
			String unreadablePrefix, String readableFrom, Consumer<Map<String, AttributeValue>> action) {
		forEachInOrder(client, fanout, table, jobInstanceId, unreadablePrefix, readableFrom, ALL, action);
	}

	/**
	 * {@link #forEachInOrder} over some of the shards only: a job's items of those shards in sort-key order (the
	 * unreadable samples' first, then the readable ones'), each shard's items all together.
	 */
	static void forEachInOrder(DynamoDbClient client, Fanout fanout, String table, long jobInstanceId,
			String unreadablePrefix, String readableFrom, List<String> shards,
			Consumer<Map<String, AttributeValue>> action) {
		List<QueryRequest> queries = new ArrayList<>(2 * shards.size());
		for (String shard : shards) {
			queries.add(query(table, jobInstanceId, shard, "pk = :pk AND begins_with(sk, :s)", unreadablePrefix));
		}
		for (String shard : shards) {
			queries.add(query(table, jobInstanceId, shard, "pk = :pk AND sk >= :s", readableFrom));
		}
		Deque<Future<QueryResponse>> ahead = new ArrayDeque<>();
		int next = 0;
		try {
			for (QueryRequest query : queries) {
				while (next < queries.size() && ahead.size() < READ_AHEAD) {
					QueryRequest prefetched = queries.get(next++);
					ahead.add(fanout.submit(() -> client.query(prefetched)));
				}
				QueryResponse page = Fanout.await(ahead.poll());
				page.items().forEach(action);
				while (page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()) {
					page = client.query(query.toBuilder().exclusiveStartKey(page.lastEvaluatedKey()).build());
					page.items().forEach(action);
				}
			}
		}
		finally {
			ahead.forEach(future -> future.cancel(true));
		}
	}

	private static QueryRequest query(String table, long jobInstanceId, String shard, String condition,
			String bound) {
		return QueryRequest.builder()
			.tableName(table)
			.keyConditionExpression(condition)
			.expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk(jobInstanceId, shard)), ":s",
					AttributeValue.fromS(bound)))
			.consistentRead(true)
			.build();
	}

	private static boolean isLowerHex(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
				return false;
			}
		}
		return true;
	}
}
