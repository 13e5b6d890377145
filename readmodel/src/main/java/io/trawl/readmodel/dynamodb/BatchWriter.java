package io.trawl.readmodel.dynamodb;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * BatchWriteItem in groups of 25. DynamoDB may accept only part of a batch (throttling, partition limits) and return
 * the rest as UnprocessedItems; those are sent again with exponential backoff until none are left.
 */
final class BatchWriter {

	static final int MAX_BATCH = 25;

	private final DynamoDbClient client;
	private final RetryTemplate retries;

	BatchWriter(DynamoDbClient client, Backoff backoff) {
		this.client = client;
		this.retries = backoff.template();
	}

	/** Writes every request; the requests must have distinct keys. */
	void write(String table, List<WriteRequest> requests) {
		for (int from = 0; from < requests.size(); from += MAX_BATCH) {
			writeBatch(table, requests.subList(from, Math.min(requests.size(), from + MAX_BATCH)));
		}
	}

	private void writeBatch(String table, List<WriteRequest> batch) {
		AtomicReference<List<WriteRequest>> pending = new AtomicReference<>(batch);
		try {
			retries.execute(() -> {
				Map<String, List<WriteRequest>> request = Map.of(table, pending.get());
				BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(request));
				List<WriteRequest> unprocessed = response.hasUnprocessedItems()
						? response.unprocessedItems().getOrDefault(table, List.of()) : List.of();
				if (!unprocessed.isEmpty()) {
					pending.set(List.copyOf(unprocessed));
					throw new Backoff.Unprocessed(unprocessed.size());
				}
				return null;
			});
		}
		catch (RetryException e) {
			throw Backoff.failure(e, "DynamoDB left %d items of a batch to " + table + " unprocessed after %d attempts; "
					+ "the table is throttled.");
		}
	}
}
