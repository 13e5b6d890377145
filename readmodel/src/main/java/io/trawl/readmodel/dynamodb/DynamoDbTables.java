package io.trawl.readmodel.dynamodb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Creates Trawl's tables for development and tests (on-demand billing, no indexes). In production Terraform creates
 * the same tables; this class is the reference for their keys.
 */
public final class DynamoDbTables {

	private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(2);
	// a new table is asked for its status every 20 ms, doubling up to 1 s, for ACTIVE_TIMEOUT at the most
	private static final RetryTemplate ACTIVE = new RetryTemplate(RetryPolicy.builder()
		.includes(NotActive.class).maxRetries(Long.MAX_VALUE).timeout(ACTIVE_TIMEOUT)
		.delay(Duration.ofMillis(20)).multiplier(2).maxDelay(Duration.ofSeconds(1)).build());

	private DynamoDbTables() {
	}

	/** Creates each missing table and waits until all are active. Safe to call from several processes at once. */
	public static void createIfMissing(DynamoDbClient client, DynamoDbTableNames names) {
		create(client, names.events(), "pk", "sk");
		create(client, names.jobSamples(), "pk", "sk");
		create(client, names.samples(), "sha256", null);
		create(client, names.jobs(), "jobInstanceId", null);
		create(client, names.ruleHits(), "pk", "sk");
		create(client, names.ruleJobs(), "rule", "job");
		create(client, names.manifests(), "pk", "sk");
		create(client, names.rulesets(), "pk", "sk");
		create(client, names.bases(), "pk", null);
		for (String table : names.all()) {
			awaitActive(client, table);
		}
	}

	private static void create(DynamoDbClient client, String table, String hash, String range) {
		if (status(client, table) != null) {
			return;
		}
		List<AttributeDefinition> attributes = new ArrayList<>();
		List<KeySchemaElement> keys = new ArrayList<>();
		attributes.add(AttributeDefinition.builder().attributeName(hash).attributeType(ScalarAttributeType.S).build());
		keys.add(KeySchemaElement.builder().attributeName(hash).keyType(KeyType.HASH).build());
		if (range != null) {
			attributes.add(
					AttributeDefinition.builder().attributeName(range).attributeType(ScalarAttributeType.S).build());
			keys.add(KeySchemaElement.builder().attributeName(range).keyType(KeyType.RANGE).build());
		}
		try {
			client.createTable(b -> b.tableName(table).attributeDefinitions(attributes).keySchema(keys)
				.billingMode(BillingMode.PAY_PER_REQUEST));
		}
		catch (ResourceInUseException createdMeanwhile) {
			// another process won the race: the table exists, which is all we want
		}
	}

	private static TableStatus status(DynamoDbClient client, String table) {
		try {
			return client.describeTable(b -> b.tableName(table)).table().tableStatus();
		}
		catch (ResourceNotFoundException missing) {
			return null;
		}
	}

	private static void awaitActive(DynamoDbClient client, String table) {
		try {
			ACTIVE.execute(() -> {
				if (status(client, table) != TableStatus.ACTIVE) {
					throw new NotActive();
				}
				return null;
			});
		}
		catch (RetryException e) {
			if (Thread.currentThread().isInterrupted()) {
				throw new IllegalStateException("Interrupted while waiting for the DynamoDB table " + table, e);
			}
			if (e.getLastException() instanceof NotActive) {
				throw new IllegalStateException("The DynamoDB table " + table + " did not become ACTIVE within "
						+ ACTIVE_TIMEOUT.toSeconds() + " s.");
			}
			throw e.getLastException() instanceof RuntimeException thrown ? thrown
					: new IllegalStateException(e.getLastException());
		}
	}

	/** What a status check throws so that the template asks again: the table is not ACTIVE yet. */
	private static final class NotActive extends RuntimeException {

		NotActive() {
			super("not ACTIVE yet", null, false, false);
		}
	}
}
