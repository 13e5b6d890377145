package io.trawl.jobs.security;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.trawl.readmodel.jdbc.JdbcDatabases;

/** The JDBC adapter on PostgreSQL (the shared and distributed modes), each test in a schema of its own. */
class PostgresApiKeysTests extends ApiKeysContract {

	private final String schema = "api_keys_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	@Override
	DataSource dataSource() {
		execute("CREATE SCHEMA " + schema);
		String url = JdbcDatabases.POSTGRES_URL + (JdbcDatabases.POSTGRES_URL.contains("?") ? "&" : "?")
				+ "currentSchema=" + schema;
		return new DriverManagerDataSource(url, JdbcDatabases.POSTGRES_USER, JdbcDatabases.POSTGRES_PASSWORD);
	}

	@AfterEach
	void dropSchema() {
		execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
	}

	private static void execute(String sql) {
		try (Connection connection = JdbcDatabases.postgres().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException e) {
			throw new IllegalStateException(sql + ": " + e.getMessage(), e);
		}
	}
}
