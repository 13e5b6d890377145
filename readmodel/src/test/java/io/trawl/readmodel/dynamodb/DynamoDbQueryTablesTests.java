package io.trawl.readmodel.dynamodb;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import io.trawl.readmodel.contract.QueryTablesContract;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.QueryTables;

class DynamoDbQueryTablesTests extends QueryTablesContract {

	private static final AtomicInteger TABLE_SETS = new AtomicInteger();

	private static Dynalite dynalite;
	private static DynamoDbClient client;

	private DynamoDbTableNames names;

	@BeforeAll
	static void dynalite() {
		dynalite = Dynalite.start();
		client = dynalite.client();
	}

	@AfterAll
	static void stop() {
		client.close();
		dynalite.close();
	}

	/**
	 * Fresh tables for each test: the contract's tests use the same sample hashes with random job ids, and the
	 * samples table keeps the highest job per hash across jobs, so a shared table would let one test's job win in
	 * another's {@code latest} assertion.
	 */
	@Override
	protected EventStore newEventStore() {
		names = new DynamoDbTableNames("query-test-" + TABLE_SETS.incrementAndGet());
		DynamoDbTables.createIfMissing(client, names);
		return new DynamoDbEventStore(client, names);
	}

	@Override
	protected QueryTables newQueryTables() {
		return new DynamoDbQueryTables(client, names);
	}
}
