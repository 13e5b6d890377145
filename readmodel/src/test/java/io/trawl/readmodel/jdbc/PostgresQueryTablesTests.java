package io.trawl.readmodel.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;

import io.trawl.readmodel.contract.QueryTablesContract;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.query.QueryTables;

class PostgresQueryTablesTests extends QueryTablesContract {

	private static DataSource dataSource;

	@BeforeAll
	static void database() {
		dataSource = JdbcDatabases.postgres();
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
