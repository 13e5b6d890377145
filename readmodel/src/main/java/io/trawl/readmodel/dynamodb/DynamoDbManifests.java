package io.trawl.readmodel.dynamodb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.manifest.Manifests;

/**
 * Manifests, ruleset fingerprints and bases in three DynamoDB tables.
 * <ul>
 * <li>{@code {prefix}-manifests}: a job's entries are spread over {@link #SHARDS} partition keys
 * ({@code job#0}..{@code job#f}, by the location's hash), so a rescan of millions of locations does not write to one
 * hot partition; the sort key is the location ({@link LocationKey}). A range is a merge of the shards' paginated
 * queries, holding one page of {@link #DEFAULT_PAGE} items per shard.</li>
 * <li>{@code {prefix}-rulesets}: a ruleset's fingerprints in gzipped parts well under the 400 KB item limit, then a
 * {@code head} item with the number of rules, written last, so a version with a head has all its parts.</li>
 * <li>{@code {prefix}-bases}: one item per source, keyed by the sha256 of its name (which may be longer than a key
 * may be), replaced only by a put for the same or a later job.</li>
 * </ul>
 */
public final class DynamoDbManifests implements Manifests {

	static final int SHARDS = 16;
	static final int DEFAULT_PAGE = 1000;
	/** Characters of rule ids and fingerprints per ruleset part: at most 300 KB of UTF-8 before gzip. */
	static final int PART_CHARS = 100_000;

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final TypeReference<Map<String, String>> RULES = new TypeReference<>() {
	};
	private static final String HEAD = "head";
	private static final String PART = "part#";

	private final DynamoDbClient client;
	private final DynamoDbTableNames names;
	private final BatchWriter writer;
	private final int page;

	public DynamoDbManifests(DynamoDbClient client, DynamoDbTableNames names) {
		this(client, names, DEFAULT_PAGE);
	}

	/** @param page the most items one query of a shard returns */
	DynamoDbManifests(DynamoDbClient client, DynamoDbTableNames names, int page) {
		this.client = client;
		this.names = names;
		this.writer = new BatchWriter(client, Backoff.DEFAULT);
		this.page = page;
	}

	@Override
	public void put(long jobInstanceId, List<Entry> entries) {
		// a batch may not hold one key twice: the last entry for a location wins, as it would one put after another
		Map<String, Entry> byLocation = new LinkedHashMap<>();
		entries.forEach(entry -> byLocation.put(entry.location(), entry));
		List<WriteRequest> requests = new ArrayList<>(byLocation.size());
		for (Entry entry : byLocation.values()) {
			requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item(jobInstanceId, entry)).build())
				.build());
		}
		writer.write(names.manifests(), requests);
	}

	private static Map<String, AttributeValue> item(long jobInstanceId, Entry entry) {
		LocationKey.Encoded key = LocationKey.of(entry.location());
		Map<String, AttributeValue> item = new HashMap<>();
		item.put("pk", AttributeValue.fromS(pk(jobInstanceId, shard(entry.location()))));
		item.put("sk", AttributeValue.fromS(key.key()));
		if (key.isLong()) {
			// the key holds only a prefix; the location is kept encoded as keys are, so a lone surrogate survives
			item.put("location", AttributeValue.fromS(key.whole()));
		}
		if (entry.identity() != null) {
			item.put("identity", AttributeValue.fromS(entry.identity()));
		}
		if (entry.sha256() != null) {
			item.put("sha256", AttributeValue.fromS(entry.sha256()));
		}
		return item;
	}

	private static int shard(String location) {
		int hash = location.hashCode(); // specified by String's Javadoc, so every JVM picks the same shard
		return Math.floorMod(hash ^ (hash >>> 16), SHARDS);
	}

	private static String pk(long jobInstanceId, int shard) {
		return jobInstanceId + "#" + Integer.toHexString(shard);
	}

	@Override
	public Stream<Entry> range(long jobInstanceId, String after, String last) {
		if (after != null && last != null && after.compareTo(last) >= 0) {
			return Stream.empty();
		}
		PriorityQueue<ShardReader> heads = new PriorityQueue<>(SHARDS,
				Comparator.comparing(reader -> reader.peek().location()));
		Iterator<Entry> merged = new Iterator<>() {
			private boolean started;

			@Override
			public boolean hasNext() {
				if (!started) {
					started = true;
					for (int shard = 0; shard < SHARDS; shard++) {
						ShardReader reader = new ShardReader(query(jobInstanceId, shard, after, last), after, last);
						if (reader.hasNext()) {
							heads.add(reader);
						}
					}
				}
				return !heads.isEmpty();
			}

			@Override
			public Entry next() {
				if (!hasNext()) {
					throw new NoSuchElementException();
				}
				ShardReader first = heads.poll();
				Entry entry = first.next();
				if (first.hasNext()) {
					heads.add(first);
				}
				return entry;
			}
		};
		return StreamSupport.stream(Spliterators.spliteratorUnknownSize(merged,
				Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false);
	}

	private QueryRequest query(long jobInstanceId, int shard, String after, String last) {
		Map<String, AttributeValue> values = new HashMap<>();
		values.put(":pk", AttributeValue.fromS(pk(jobInstanceId, shard)));
		String condition = "pk = :pk";
		if (after != null) {
			values.put(":after", AttributeValue.fromS(LocationKey.lowerBound(after)));
		}
		if (last != null) {
			values.put(":last", AttributeValue.fromS(LocationKey.upperBound(last)));
		}
		if (after != null && last != null) {
			condition += " AND sk BETWEEN :after AND :last";
		}
		else if (after != null) {
			condition += " AND sk >= :after";
		}
		else if (last != null) {
			condition += " AND sk <= :last";
		}
		return QueryRequest.builder().tableName(names.manifests()).keyConditionExpression(condition)
			.expressionAttributeValues(values).limit(page).consistentRead(true).build();
	}

	/**
	 * One shard's entries in location order, one page at a time. The key bounds may admit a location at or just
	 * around the range's ends (long locations share a key prefix), so the exact bounds are checked here; a run of
	 * long locations with the same key prefix, which DynamoDB returns in hash order, is sorted.
	 */
	private final class ShardReader implements Iterator<Entry> {

		private final String after;
		private final String last;
		private QueryRequest query;
		private Iterator<Map<String, AttributeValue>> items = List.<Map<String, AttributeValue>>of().iterator();
		private boolean lastPage;
		private Map<String, AttributeValue> pending;
		private final List<Entry> ready = new ArrayList<>();
		private int nextReady;

		ShardReader(QueryRequest query, String after, String last) {
			this.query = query;
			this.after = after;
			this.last = last;
		}

		Entry peek() {
			if (!hasNext()) {
				throw new NoSuchElementException();
			}
			return ready.get(nextReady);
		}

		@Override
		public boolean hasNext() {
			while (nextReady == ready.size()) {
				ready.clear();
				nextReady = 0;
				Map<String, AttributeValue> item = nextItem();
				if (item == null) {
					return false;
				}
				String key = item.get("sk").s();
				if (item.containsKey("location")) {
					String prefix = LocationKey.prefixOf(key);
					addIfInRange(item);
					for (Map<String, AttributeValue> same; (same = nextItem()) != null;) {
						if (!same.containsKey("location") || !LocationKey.prefixOf(same.get("sk").s()).equals(prefix)) {
							pending = same;
							break;
						}
						addIfInRange(same);
					}
					ready.sort(Comparator.comparing(Entry::location));
				}
				else {
					addIfInRange(item);
				}
			}
			return true;
		}

		@Override
		public Entry next() {
			Entry entry = peek();
			nextReady++;
			return entry;
		}

		private void addIfInRange(Map<String, AttributeValue> item) {
			Entry entry = entry(item);
			if ((after == null || entry.location().compareTo(after) > 0)
					&& (last == null || entry.location().compareTo(last) <= 0)) {
				ready.add(entry);
			}
		}

		private Map<String, AttributeValue> nextItem() {
			if (pending != null) {
				Map<String, AttributeValue> item = pending;
				pending = null;
				return item;
			}
			while (!items.hasNext() && !lastPage) {
				QueryResponse response = client.query(query);
				items = response.items().iterator();
				lastPage = !response.hasLastEvaluatedKey() || response.lastEvaluatedKey().isEmpty();
				if (!lastPage) {
					query = query.toBuilder().exclusiveStartKey(response.lastEvaluatedKey()).build();
				}
			}
			return items.hasNext() ? items.next() : null;
		}
	}

	private static Entry entry(Map<String, AttributeValue> item) {
		AttributeValue location = item.get("location");
		return new Entry(LocationKey.decode(location != null ? location.s() : item.get("sk").s()), text(item, "identity"),
				text(item, "sha256"));
	}

	private static String text(Map<String, AttributeValue> item, String name) {
		AttributeValue value = item.get(name);
		return value == null ? null : value.s();
	}

	@Override
	public void putRuleset(String rulesetVersion, Map<String, String> fingerprints) {
		List<WriteRequest> parts = new ArrayList<>();
		Map<String, String> part = new TreeMap<>();
		int chars = 0;
		for (Map.Entry<String, String> rule : new TreeMap<>(fingerprints).entrySet()) {
			int size = rule.getKey().length() + rule.getValue().length();
			if (!part.isEmpty() && chars + size > PART_CHARS) {
				parts.add(part(rulesetVersion, parts.size(), part));
				part = new TreeMap<>();
				chars = 0;
			}
			part.put(rule.getKey(), rule.getValue());
			chars += size;
		}
		if (!part.isEmpty()) {
			parts.add(part(rulesetVersion, parts.size(), part));
		}
		writer.write(names.rulesets(), parts);
		client.putItem(b -> b.tableName(names.rulesets())
			.item(Map.of("pk", AttributeValue.fromS(rulesetVersion), "sk", AttributeValue.fromS(HEAD), "rules",
					AttributeValue.fromN(Integer.toString(fingerprints.size())))));
	}

	private static WriteRequest part(String rulesetVersion, int number, Map<String, String> rules) {
		Map<String, AttributeValue> item = new HashMap<>();
		item.put("pk", AttributeValue.fromS(rulesetVersion));
		item.put("sk", AttributeValue.fromS(PART + String.format("%06d", number)));
		LargeText.put(item, "rules", JSON.writeValueAsString(rules),
				"Part " + number + " of the fingerprints of ruleset " + rulesetVersion);
		return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
	}

	@Override
	public Optional<Map<String, String>> ruleset(String rulesetVersion) {
		Map<String, AttributeValue> head = client.getItem(b -> b.tableName(names.rulesets())
			.key(Map.of("pk", AttributeValue.fromS(rulesetVersion), "sk", AttributeValue.fromS(HEAD)))
			.consistentRead(true)).item();
		if (head == null || head.isEmpty()) {
			return Optional.empty();
		}
		QueryRequest parts = QueryRequest.builder().tableName(names.rulesets())
			.keyConditionExpression("pk = :pk AND begins_with(sk, :part)")
			.expressionAttributeValues(
					Map.of(":pk", AttributeValue.fromS(rulesetVersion), ":part", AttributeValue.fromS(PART)))
			.consistentRead(true).build();
		Map<String, String> fingerprints = new TreeMap<>();
		for (QueryResponse response : client.queryPaginator(parts)) {
			response.items().forEach(item -> fingerprints.putAll(JSON.readValue(LargeText.get(item, "rules"), RULES)));
		}
		// parts of a ruleset stored twice with other rules would not add up: such a version is not trusted
		return fingerprints.size() == Integer.parseInt(head.get("rules").n()) ? Optional.of(fingerprints)
				: Optional.empty();
	}

	@Override
	public void putBasis(Basis basis) {
		Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS(sourceKey(basis.source())), "source",
				AttributeValue.fromS(basis.source()), "jobInstanceId",
				AttributeValue.fromN(Long.toString(basis.jobInstanceId())), "rulesetVersion",
				AttributeValue.fromS(basis.rulesetVersion()), "settings", AttributeValue.fromS(basis.settings()));
		try {
			client.putItem(b -> b.tableName(names.bases()).item(item)
				.conditionExpression("attribute_not_exists(pk) OR jobInstanceId <= :job")
				.expressionAttributeValues(Map.of(":job", item.get("jobInstanceId"))));
		}
		catch (ConditionalCheckFailedException laterJobKept) {
			// the source's basis is a later job already
		}
	}

	@Override
	public Optional<Basis> basis(String source) {
		Map<String, AttributeValue> item = client.getItem(b -> b.tableName(names.bases())
			.key(Map.of("pk", AttributeValue.fromS(sourceKey(source)))).consistentRead(true)).item();
		if (item == null || item.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(new Basis(item.get("source").s(), Long.parseLong(item.get("jobInstanceId").n()),
				item.get("rulesetVersion").s(), item.get("settings").s()));
	}

	private static String sourceKey(String source) {
		return LocationKey.sha256(source.getBytes(StandardCharsets.UTF_8));
	}
}
