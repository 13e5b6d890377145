package io.trawl.readmodel.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;

import io.trawl.readmodel.contract.QueryTablesContract;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.QueryTables;

class H2QueryTablesTests extends QueryTablesContract {

	private static DataSource dataSource;

	@BeforeAll
	static void database() {
		dataSource = JdbcDatabases.h2();
	}

	@Override
	protected EventStore newEventStore() {
		return new JdbcEventStore(dataSource);
	}

	@Override
	protected QueryTables newQueryTables() {
		return new JdbcQueryTables(dataSource);
	}
}
