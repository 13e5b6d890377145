package io.trawl.readmodel.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;

import io.trawl.readmodel.contract.EventStoreContract;
import io.trawl.readmodel.event.EventStore;

class H2EventStoreTests extends EventStoreContract {

	private static DataSource dataSource;

	@BeforeAll
	static void database() {
		dataSource = JdbcDatabases.h2();
	}

	@Override
	protected EventStore newStore() {
		return new JdbcEventStore(dataSource);
	}
}
