package io.trawl.readmodel.dynamodb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.event.ResultEvent;

/**
 * Result events in the {@code {prefix}-events} table. Each event is a conditional PutItem
 * ({@code attribute_not_exists(pk)}), so the first version of an event wins and a retried chunk stores nothing twice;
 * the puts of one append run in parallel on a small bounded pool. See {@code readmodel/DYNAMODB.md}.
 */
public final class DynamoDbEventStore implements EventStore, AutoCloseable {

	static final int DEFAULT_PARALLELISM = 8;
	static final int DEFAULT_SLICES = 8;
	/** BatchGetItem's limit of keys per request. */
	static final int MAX_GET = 100;

	private final DynamoDbClient client;
	private final String table;
	private final Fanout fanout;
	private final RetryTemplate retries = Backoff.DEFAULT.unbounded();

	public DynamoDbEventStore(DynamoDbClient client, DynamoDbTableNames names) {
		this(client, names, DEFAULT_PARALLELISM);
	}

	/** @param parallelism how many conditional puts (and shard counts) one store runs at once */
	public DynamoDbEventStore(DynamoDbClient client, DynamoDbTableNames names, int parallelism) {
		this.client = client;
		this.table = names.events();
		this.fanout = new Fanout("trawl-dynamodb-events", parallelism);
	}

	@Override
	public int append(List<ResultEvent> events) {
		if (events.isEmpty()) {
			return 0;
		}
		List<Callable<Integer>> puts = events.stream().map(this::item).<Callable<Integer>>map(item -> () -> put(item))
			.toList();
		return fanout.all(puts).stream().mapToInt(Integer::intValue).sum();
	}

	private int put(Map<String, AttributeValue> item) {
		try {
			client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
			return 1;
		}
		catch (ConditionalCheckFailedException alreadyStored) {
			return 0;
		}
	}

	@Override
	public void forEach(long jobInstanceId, Consumer<ResultEvent> action) {
		// sk = eventId = job/sampleKey/KIND[/qualifier]: sk order is sample key, then kind, then event id
		Shards.forEachInOrder(client, fanout, table, jobInstanceId, jobInstanceId + "/" + ResultEvent.UNREADABLE_PREFIX,
				jobInstanceId + "/0", item -> action.accept(event(item)));
	}

	/** The shards split into {@code slices} contiguous groups: a sample's events are all in its shard. */
	@Override
	public void forEachSlice(long jobInstanceId, int slice, int slices, Consumer<ResultEvent> action) {
		EventStore.checkSlice(slice, slices);
		Shards.forEachInOrder(client, fanout, table, jobInstanceId, jobInstanceId + "/" + ResultEvent.UNREADABLE_PREFIX,
				jobInstanceId + "/0", Shards.slice(slice, slices), item -> action.accept(event(item)));
	}

	/** Eight: a slice's thread mostly waits on DynamoDB's round trips (measured in bench/README.md, session 11). */
	@Override
	public int defaultSlices() {
		return DEFAULT_SLICES;
	}

	@Override
	public long count(long jobInstanceId, EventKind kind) {
		List<Callable<Long>> counts = Shards.ALL.stream().<Callable<Long>>map(shard -> () -> {
			QueryRequest request = QueryRequest.builder()
				.tableName(table)
				.keyConditionExpression("pk = :pk")
				.filterExpression("#kind = :kind")
				.expressionAttributeNames(Map.of("#kind", "kind"))
				.expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(Shards.pk(jobInstanceId, shard)),
						":kind", AttributeValue.fromS(kind.name())))
				.select(Select.COUNT)
				.consistentRead(true)
				.build();
			long count = 0;
			for (QueryResponse page : client.queryPaginator(request)) {
				count += page.count();
			}
			return count;
		}).toList();
		return fanout.all(counts).stream().mapToLong(Long::longValue).sum();
	}

	@Override
	public List<ResultEvent> find(long jobInstanceId, String sampleKey, EventKind kind) {
		// the sample key picks the shard, and sk = job/sampleKey/KIND[/qualifier] makes the rest a prefix
		String prefix = jobInstanceId + "/" + sampleKey + "/" + kind;
		QueryRequest request = QueryRequest.builder()
			.tableName(table)
			.keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
			.expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(Shards.pk(jobInstanceId, Shards.of(sampleKey))),
					":prefix", AttributeValue.fromS(prefix)))
			.consistentRead(true)
			.build();
		List<ResultEvent> found = new ArrayList<>();
		for (QueryResponse page : client.queryPaginator(request)) {
			page.items().stream()
				.map(DynamoDbEventStore::event)
				.filter(e -> e.eventId().equals(prefix) || e.eventId().startsWith(prefix + "/"))
				.forEach(found::add);
		}
		return found;
	}

	/**
	 * An ANALYSED or FAILED event has one id per sample key (no qualifier), so their look-ups are BatchGetItem
	 * requests of {@value #MAX_GET} keys (unprocessed keys asked again with backoff), run side by side; other kinds
	 * are {@link #find}s run side by side.
	 */
	@Override
	public Map<String, List<ResultEvent>> findAll(long jobInstanceId, Collection<String> sampleKeys, EventKind kind) {
		List<String> keys = new ArrayList<>(new LinkedHashSet<>(sampleKeys));
		Map<String, List<ResultEvent>> found = new HashMap<>();
		if (kind != EventKind.ANALYSED && kind != EventKind.FAILED) {
			List<Callable<List<ResultEvent>>> finds = keys.stream()
				.<Callable<List<ResultEvent>>>map(key -> () -> find(jobInstanceId, key, kind)).toList();
			fanout.all(finds).stream().flatMap(List::stream)
				.forEach(e -> found.computeIfAbsent(e.sampleKey(), k -> new ArrayList<>()).add(e));
			return found;
		}
		List<Callable<List<ResultEvent>>> gets = new ArrayList<>();
		for (int from = 0; from < keys.size(); from += MAX_GET) {
			List<Map<String, AttributeValue>> batch = keys.subList(from, Math.min(keys.size(), from + MAX_GET))
				.stream()
				.map(key -> Map.of("pk", AttributeValue.fromS(Shards.pk(jobInstanceId, Shards.of(key))), "sk",
						AttributeValue.fromS(jobInstanceId + "/" + key + "/" + kind)))
				.toList();
			gets.add(() -> get(batch));
		}
		fanout.all(gets).stream().flatMap(List::stream).forEach(e -> found.put(e.sampleKey(), List.of(e)));
		return found;
	}

	private List<ResultEvent> get(List<Map<String, AttributeValue>> keys) {
		AtomicReference<List<Map<String, AttributeValue>>> pending = new AtomicReference<>(keys);
		List<ResultEvent> found = new ArrayList<>();
		try {
			retries.execute(() -> {
				BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(Map.of(table,
						KeysAndAttributes.builder().keys(pending.get()).consistentRead(true).build())));
				response.responses().getOrDefault(table, List.of()).forEach(item -> found.add(event(item)));
				KeysAndAttributes left = response.hasUnprocessedKeys() ? response.unprocessedKeys().get(table) : null;
				if (left != null && !left.keys().isEmpty()) {
					pending.set(List.copyOf(left.keys()));
					throw new Backoff.Unprocessed(left.keys().size());
				}
				return null;
			});
		}
		catch (RetryException e) {
			throw Backoff.failure(e, "DynamoDB left %d keys of a look-up in " + table + " unprocessed after %d "
					+ "attempts; the table is throttled.");
		}
		return found;
	}

	@Override
	public void close() {
		fanout.close();
	}

	private Map<String, AttributeValue> item(ResultEvent event) {
		String expectedStart = event.jobInstanceId() + "/" + event.sampleKey() + "/" + event.kind();
		if (!event.eventId().startsWith(expectedStart)) {
			throw new IllegalArgumentException("The event id " + event.eventId() + " does not start with "
					+ expectedStart + "; build it with ResultEvent.analysedId/sourceId/failedId/attemptId.");
		}
		Map<String, AttributeValue> item = new HashMap<>();
		item.put("pk", AttributeValue.fromS(Shards.pk(event.jobInstanceId(), Shards.of(event.sampleKey()))));
		item.put("sk", AttributeValue.fromS(event.eventId()));
		item.put("jobInstanceId", AttributeValue.fromN(Long.toString(event.jobInstanceId())));
		item.put("jobExecutionId", AttributeValue.fromN(Long.toString(event.jobExecutionId())));
		item.put("sampleKey", AttributeValue.fromS(event.sampleKey()));
		item.put("kind", AttributeValue.fromS(event.kind().name()));
		item.put("recordedAt", AttributeValue.fromS(event.recordedAt().toString()));
		LargeText.put(item, "payload", event.payload(), "The payload of event " + event.eventId());
		return item;
	}

	private static ResultEvent event(Map<String, AttributeValue> item) {
		return new ResultEvent(item.get("sk").s(), Long.parseLong(item.get("jobInstanceId").n()),
				Long.parseLong(item.get("jobExecutionId").n()), item.get("sampleKey").s(),
				EventKind.valueOf(item.get("kind").s()), Instant.parse(item.get("recordedAt").s()),
				LargeText.get(item, "payload"));
	}
}
