package io.trawl.readmodel.dynamodb;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import tools.jackson.databind.json.JsonMapper;

import io.trawl.readmodel.query.JobSummary;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.query.ResultFilter;
import io.trawl.readmodel.query.RuleHistory;
import io.trawl.readmodel.query.SampleView;

/**
 * Query tables in DynamoDB. Per-job rows and rule hits are plain puts (BatchWriteItem, unprocessed items retried),
 * so writing them again changes nothing. A sample's latest result is a conditional put that only replaces an older
 * result, so projecting jobs in any order leaves the newest one. See {@code readmodel/DYNAMODB.md}.
 */
public final class DynamoDbQueryTables implements QueryTables, AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final BigInteger NANOS = BigInteger.valueOf(1_000_000_000L);
	private static final String NEWER_OR_SAME = "attribute_not_exists(sha256) OR jobInstanceId < :j "
			+ "OR (jobInstanceId = :j AND analysedAtNanos <= :t)";

	// a read asks again for its unprocessed keys until every one is read, as long as that takes
	private static final RetryTemplate UNPROCESSED_KEYS = Backoff.DEFAULT.unbounded();

	private final DynamoDbClient client;
	private final DynamoDbTableNames names;
	private final BatchWriter batches;
	private final Fanout fanout;

	public DynamoDbQueryTables(DynamoDbClient client, DynamoDbTableNames names) {
		this(client, names, DynamoDbEventStore.DEFAULT_PARALLELISM);
	}

	/** @param parallelism how many conditional puts of latest results run at once */
	public DynamoDbQueryTables(DynamoDbClient client, DynamoDbTableNames names, int parallelism) {
		this(client, names, parallelism, Backoff.DEFAULT);
	}

	DynamoDbQueryTables(DynamoDbClient client, DynamoDbTableNames names, int parallelism, Backoff backoff) {
		this.client = client;
		this.names = names;
		this.batches = new BatchWriter(client, backoff);
		this.fanout = new Fanout("trawl-dynamodb-query", parallelism);
	}

	@Override
	public void putSamples(List<SampleView> samples) {
		// BatchWriteItem refuses two requests for one key: the last view of a row wins, as with an upsert
		Map<String, WriteRequest> rows = new LinkedHashMap<>();
		for (SampleView sample : samples) {
			Map<String, AttributeValue> item = new HashMap<>();
			item.put("pk", AttributeValue.fromS(Shards.pk(sample.jobInstanceId(), Shards.of(sample.sampleKey()))));
			item.put("sk", AttributeValue.fromS(sample.sampleKey()));
			putView(item, sample);
			rows.put(item.get("pk").s() + "/" + sample.sampleKey(), put(item));
		}
		batches.write(names.jobSamples(), List.copyOf(rows.values()));
		List<Callable<Boolean>> latest = samples.stream().filter(s -> s.sha256() != null)
			.<Callable<Boolean>>map(s -> () -> putLatest(s)).toList();
		if (!latest.isEmpty()) {
			fanout.all(latest);
		}
	}

	private boolean putLatest(SampleView sample) {
		Map<String, AttributeValue> item = new HashMap<>();
		item.put("sha256", AttributeValue.fromS(sample.sha256()));
		putView(item, sample);
		try {
			client.putItem(b -> b.tableName(names.samples()).item(item).conditionExpression(NEWER_OR_SAME)
				.expressionAttributeValues(Map.of(":j", item.get("jobInstanceId"), ":t", item.get("analysedAtNanos"))));
			return true;
		}
		catch (ConditionalCheckFailedException newerIsThere) {
			return false;
		}
	}

	@Override
	public void putRuleHits(long jobInstanceId, String rule, List<String> sha256s) {
		List<WriteRequest> hits = new ArrayList<>();
		for (String sha256 : new LinkedHashSet<>(sha256s)) {
			hits.add(put(Map.of("pk", AttributeValue.fromS(jobInstanceId + "#" + rule), "sk",
					AttributeValue.fromS(sha256), "jobInstanceId", number(jobInstanceId), "rule",
					AttributeValue.fromS(rule))));
		}
		batches.write(names.ruleHits(), hits);
	}

	@Override
	public void putSummary(JobSummary summary) {
		Map<String, AttributeValue> item = new HashMap<>();
		item.put("jobInstanceId", AttributeValue.fromS(Long.toString(summary.jobInstanceId())));
		item.put("projectedAt", AttributeValue.fromS(summary.projectedAt().toString()));
		LargeText.put(item, "summary", JSON.writeValueAsString(summary),
				"The summary of job " + summary.jobInstanceId());
		client.putItem(b -> b.tableName(names.jobs()).item(item));
	}

	/**
	 * Scans each query table for its keys and deletes them in batches: Terraform owns the tables, so they are
	 * emptied, not dropped and created again.
	 */
	@Override
	public void clear() {
		clear(names.jobSamples(), "pk", "sk");
		clear(names.samples(), "sha256");
		clear(names.jobs(), "jobInstanceId");
		clear(names.ruleHits(), "pk", "sk");
		clear(names.ruleJobs(), "rule", "job");
	}

	private void clear(String table, String... keys) {
		Map<String, String> keyNames = new HashMap<>();
		for (int i = 0; i < keys.length; i++) {
			keyNames.put("#k" + i, keys[i]);
		}
		ScanRequest scan = ScanRequest.builder().tableName(table).consistentRead(true)
			.projectionExpression(String.join(", ", keyNames.keySet())).expressionAttributeNames(keyNames).build();
		for (ScanResponse page : client.scanPaginator(scan)) {
			batches.write(table, page.items().stream()
				.map(key -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build())
				.toList());
		}
	}

	@Override
	public void forEachSample(long jobInstanceId, Consumer<SampleView> action) {
		Shards.forEachInOrder(client, fanout, names.jobSamples(), jobInstanceId, "!", "0",
				item -> action.accept(view(item, item.get("sk").s())));
	}

	/**
	 * Reads the shards in the order {@link #forEachSample} visits them (unreadable samples first, then shards 00..ff),
	 * from the cursor's shard on, and stops as soon as the page is full: a page costs a few queries, not the job.
	 */
	@Override
	public List<SampleView> page(long jobInstanceId, ResultFilter filter, String after, int limit) {
		if (filter.rule() != null) {
			return pageOfRule(jobInstanceId, filter, after, limit);
		}
		List<SampleView> page = new ArrayList<>();
		boolean afterUnreadable = after != null && after.startsWith("!");
		// unreadable samples have no sha256, so a sha256 filter skips their pass
		if ((after == null || afterUnreadable) && filter.sha256Prefix() == null) {
			String from = afterUnreadable ? Shards.of(after) : null;
			for (String shard : Shards.ALL) {
				if (from != null && shard.compareTo(from) < 0) {
					continue;
				}
				String lower = from != null && shard.equals(from) ? after : "!";
				if (readShard(jobInstanceId, shard, lower, "!", filter, limit, page)) {
					return page;
				}
			}
		}
		String from = after == null || afterUnreadable ? null : Shards.of(after);
		for (String shard : Shards.ALL) {
			String prefix = filter.sha256Prefix();
			if ((from != null && shard.compareTo(from) < 0) || (prefix != null && !shardMayHold(shard, prefix))) {
				continue;
			}
			String lower = from != null && shard.equals(from) ? after : null;
			if (readShard(jobInstanceId, shard, lower, prefix == null ? "" : prefix, filter, limit, page)) {
				return page;
			}
		}
		return page;
	}

	private static boolean shardMayHold(String shard, String prefix) {
		return prefix.length() >= 2 ? shard.equals(prefix.substring(0, 2)) : shard.startsWith(prefix);
	}

	/**
	 * Adds a shard's items whose key starts with {@code keyPrefix} and follows {@code after} (exclusive; null: from
	 * the start) to the page; true once the page is full.
	 */
	private boolean readShard(long jobInstanceId, String shard, String after, String keyPrefix, ResultFilter filter,
			int limit, List<SampleView> page) {
		if (after != null && !after.startsWith(keyPrefix)) {
			if (after.compareTo(keyPrefix) > 0) {
				return false; // the cursor is past every key with the prefix
			}
			after = null;
		}
		Map<String, AttributeValue> values = new HashMap<>();
		values.put(":pk", AttributeValue.fromS(Shards.pk(jobInstanceId, shard)));
		String condition;
		if (after != null) {
			condition = "pk = :pk AND sk > :s";
			values.put(":s", AttributeValue.fromS(after));
		}
		else if (!keyPrefix.isEmpty()) {
			condition = "pk = :pk AND begins_with(sk, :s)";
			values.put(":s", AttributeValue.fromS(keyPrefix));
		}
		else {
			condition = "pk = :pk AND sk >= :s";
			values.put(":s", AttributeValue.fromS("0"));
		}
		QueryRequest.Builder query = QueryRequest.builder().tableName(names.jobSamples())
			.keyConditionExpression(condition).consistentRead(true);
		if (filter.verdict() != null) {
			query.filterExpression("#v = :v").expressionAttributeNames(Map.of("#v", "verdict"));
			values.put(":v", AttributeValue.fromS(filter.verdict()));
		}
		query.expressionAttributeValues(values);
		Map<String, AttributeValue> start = null;
		do {
			// the limit counts items read before the filter; reading a little more than the page needs saves calls
			QueryRequest request = query.limit(Math.max(limit - page.size(), 25)).exclusiveStartKey(start).build();
			QueryResponse response = client.query(request);
			for (Map<String, AttributeValue> item : response.items()) {
				String key = item.get("sk").s();
				if (!key.startsWith(keyPrefix)) {
					return false; // sorted: nothing further in this shard has the prefix
				}
				SampleView view = view(item, key);
				if (filter.matches(view)) {
					page.add(view);
					if (page.size() >= limit) {
						return true;
					}
				}
			}
			start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
					? response.lastEvaluatedKey() : null;
		}
		while (start != null);
		return false;
	}

	/** The rule's hits are sorted by sha256, which is a readable sample's key: page through them, then the rows. */
	private List<SampleView> pageOfRule(long jobInstanceId, ResultFilter filter, String after, int limit) {
		List<SampleView> page = new ArrayList<>();
		String prefix = filter.sha256Prefix() == null ? "" : filter.sha256Prefix();
		Map<String, AttributeValue> values = new HashMap<>();
		values.put(":pk", AttributeValue.fromS(jobInstanceId + "#" + filter.rule()));
		String condition = "pk = :pk";
		if (after != null && !after.startsWith("!") && !after.startsWith(prefix)) {
			if (after.compareTo(prefix) > 0) {
				return page;
			}
			after = null;
		}
		if (after != null && !after.startsWith("!")) {
			condition += " AND sk > :s";
			values.put(":s", AttributeValue.fromS(after));
		}
		else if (!prefix.isEmpty()) {
			condition += " AND begins_with(sk, :s)";
			values.put(":s", AttributeValue.fromS(prefix));
		}
		QueryRequest.Builder query = QueryRequest.builder()
			.tableName(names.ruleHits())
			.keyConditionExpression(condition)
			.expressionAttributeValues(values).projectionExpression("sk").consistentRead(true);
		Map<String, AttributeValue> start = null;
		do {
			QueryResponse response = client.query(query.limit(Math.min(100, Math.max(limit - page.size(), 25)))
				.exclusiveStartKey(start).build());
			List<String> hits = new ArrayList<>();
			for (Map<String, AttributeValue> item : response.items()) {
				String sha256 = item.get("sk").s();
				if (!sha256.startsWith(prefix)) {
					break;
				}
				hits.add(sha256);
			}
			Map<String, SampleView> rows = rows(jobInstanceId, hits);
			for (String sha256 : hits) {
				SampleView view = rows.get(sha256);
				if (view != null && filter.matches(view)) {
					page.add(view);
					if (page.size() >= limit) {
						return page;
					}
				}
			}
			if (hits.size() < response.items().size()) {
				return page;
			}
			start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
					? response.lastEvaluatedKey() : null;
		}
		while (start != null);
		return page;
	}

	/** A job's rows for these readable samples (at most 100), by sha256; unprocessed keys are asked again. */
	private Map<String, SampleView> rows(long jobInstanceId, List<String> sha256s) {
		Map<String, SampleView> rows = new HashMap<>();
		if (sha256s.isEmpty()) {
			return rows;
		}
		List<Map<String, AttributeValue>> keys = sha256s.stream()
			.map(sha -> Map.of("pk", AttributeValue.fromS(Shards.pk(jobInstanceId, Shards.of(sha))), "sk",
					AttributeValue.fromS(sha)))
			.toList();
		Map<String, KeysAndAttributes> request = Map.of(names.jobSamples(),
				KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
		AtomicReference<Map<String, KeysAndAttributes>> pending = new AtomicReference<>(request);
		try {
			UNPROCESSED_KEYS.execute(() -> {
				var response = client.batchGetItem(b -> b.requestItems(pending.get()));
				response.responses().getOrDefault(names.jobSamples(), List.of())
					.forEach(item -> rows.put(item.get("sk").s(), view(item, item.get("sk").s())));
				if (response.hasUnprocessedKeys() && !response.unprocessedKeys().isEmpty()) {
					pending.set(response.unprocessedKeys());
					throw new Backoff.Unprocessed(response.unprocessedKeys().size());
				}
				return null;
			});
		}
		catch (RetryException e) {
			throw Backoff.failure(e, "DynamoDB left keys of %d tables unread after %d attempts.");
		}
		return rows;
	}

	@Override
	public Optional<SampleView> latest(String sha256) {
		GetItemResponse response = client.getItem(b -> b.tableName(names.samples())
			.key(Map.of("sha256", AttributeValue.fromS(sha256))).consistentRead(true));
		return response.hasItem() && !response.item().isEmpty() ? Optional.of(view(response.item(), sha256))
				: Optional.empty();
	}

	@Override
	public Optional<JobSummary> summary(long jobInstanceId) {
		GetItemResponse response = client.getItem(b -> b.tableName(names.jobs())
			.key(Map.of("jobInstanceId", AttributeValue.fromS(Long.toString(jobInstanceId)))).consistentRead(true));
		if (!response.hasItem() || response.item().isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(JSON.readValue(LargeText.get(response.item(), "summary"), JobSummary.class));
	}

	@Override
	public List<String> ruleHits(long jobInstanceId, String rule) {
		QueryRequest request = QueryRequest.builder()
			.tableName(names.ruleHits())
			.keyConditionExpression("pk = :pk")
			.expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(jobInstanceId + "#" + rule)))
			.projectionExpression("sk")
			.consistentRead(true)
			.build();
		List<String> hits = new ArrayList<>();
		client.queryPaginator(request).items().forEach(item -> hits.add(item.get("sk").s()));
		return hits;
	}

	@Override
	public void putRuleCounts(long jobInstanceId, long samples, Map<String, Long> hits) {
		List<WriteRequest> rows = new ArrayList<>();
		hits.forEach((rule, count) -> rows.add(put(Map.of("rule", AttributeValue.fromS(rule), "job",
				AttributeValue.fromS(String.format("%019d", jobInstanceId)), "jobInstanceId", number(jobInstanceId),
				"hits", number(count), "samples", number(samples)))));
		batches.write(names.ruleJobs(), rows);
	}

	/** A scan: the table holds one small item per rule and job, never a sample. */
	@Override
	public List<RuleHistory> ruleHistory() {
		Map<String, List<RuleHistory.JobHits>> rows = new HashMap<>();
		client.scanPaginator(b -> b.tableName(names.ruleJobs()).consistentRead(true)).items()
			.forEach(item -> rows.computeIfAbsent(item.get("rule").s(), rule -> new ArrayList<>())
				.add(new RuleHistory.JobHits(Long.parseLong(item.get("jobInstanceId").n()),
						Long.parseLong(item.get("hits").n()), Long.parseLong(item.get("samples").n()))));
		return RuleHistory.byRule(rows);
	}

	@Override
	public void close() {
		fanout.close();
	}

	private static void putView(Map<String, AttributeValue> item, SampleView sample) {
		item.put("jobInstanceId", number(sample.jobInstanceId()));
		if (sample.sha256() != null) {
			item.put("sha256", AttributeValue.fromS(sample.sha256()));
		}
		item.put("verdict", AttributeValue.fromS(sample.verdict()));
		item.put("analysedAt", AttributeValue.fromS(sample.analysedAt().toString()));
		item.put("analysedAtNanos", AttributeValue.fromN(epochNanos(sample.analysedAt()).toString()));
		LargeText.put(item, "document", sample.document(), "The document of sample " + sample.sampleKey());
	}

	private static SampleView view(Map<String, AttributeValue> item, String sampleKey) {
		AttributeValue sha256 = item.get("sha256");
		return new SampleView(Long.parseLong(item.get("jobInstanceId").n()), sampleKey,
				sha256 == null ? null : sha256.s(), item.get("verdict").s(), Instant.parse(item.get("analysedAt").s()),
				LargeText.get(item, "document"));
	}

	/** Exact and comparable as a DynamoDB number (38 digits), unlike an ISO string with varying fraction digits. */
	static BigInteger epochNanos(Instant instant) {
		return BigInteger.valueOf(instant.getEpochSecond()).multiply(NANOS).add(BigInteger.valueOf(instant.getNano()));
	}

	private static AttributeValue number(long value) {
		return AttributeValue.fromN(Long.toString(value));
	}

	private static WriteRequest put(Map<String, AttributeValue> item) {
		return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
	}
}
