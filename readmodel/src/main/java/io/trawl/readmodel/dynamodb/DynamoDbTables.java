package io.trawl.readmodel.dynamodb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

	private DynamoDbTables() {
	}

	/** Creates each missing table and waits until all are active. Safe to call from several processes at once. */
	public static void createIfMissing(DynamoDbClient client, DynamoDbTableNames names) {
		create(client, names.events(), "pk", "sk");
		create(client, names.jobSamples(), "pk", "sk");
		create(client, names.samples(), "sha256", null);
		create(client, names.jobs(), "jobInstanceId", null);
		create(client, names.ruleHits(), "pk", "sk");
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
		long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
		long pause = 20;
		while (status(client, table) != TableStatus.ACTIVE) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The DynamoDB table " + table + " did not become ACTIVE within "
						+ ACTIVE_TIMEOUT.toSeconds() + " s.");
			}
			try {
				Thread.sleep(pause);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for the DynamoDB table " + table, e);
			}
			pause = Math.min(pause * 2, 1000);
		}
	}
}
