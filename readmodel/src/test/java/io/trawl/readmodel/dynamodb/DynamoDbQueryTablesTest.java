package io.trawl.readmodel.dynamodb;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import io.trawl.readmodel.contract.QueryTablesContract;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.QueryTables;

class DynamoDbQueryTablesTest extends QueryTablesContract {

	private static Dynalite dynalite;
	private static DynamoDbClient client;
	private static final DynamoDbTableNames NAMES = DynamoDbTableNames.defaults();

	@BeforeAll
	static void dynalite() {
		dynalite = Dynalite.start();
		client = dynalite.client();
		DynamoDbTables.createIfMissing(client, NAMES);
	}

	@AfterAll
	static void stop() {
		client.close();
		dynalite.close();
	}

	@Override
	protected EventStore newEventStore() {
		return new DynamoDbEventStore(client, NAMES);
	}

	@Override
	protected QueryTables newQueryTables() {
		return new DynamoDbQueryTables(client, NAMES);
	}
}
