package io.trawl.jobs.security;

import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;

import io.trawl.readmodel.jdbc.JdbcDatabases;

/** The JDBC adapter on PostgreSQL (the shared and distributed modes), each test in a schema of its own. */
class PostgresApiKeysTests extends ApiKeysContract {

	private final String schema = "api_keys_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	@Override
	DataSource dataSource() {
		JdbcDatabases.executeOnPostgres("CREATE SCHEMA " + schema);
		return JdbcDatabases.postgresInSchema(schema);
	}

	@AfterEach
	void dropSchema() {
		JdbcDatabases.executeOnPostgres("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
	}
}
