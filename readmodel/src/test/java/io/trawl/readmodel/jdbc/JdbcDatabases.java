package io.trawl.readmodel.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The databases the JDBC contract tests run on: a fresh in-memory H2, and the PostgreSQL that .ci/run starts. */
public final class JdbcDatabases {

	public static final String POSTGRES_URL = System.getenv().getOrDefault("TRAWL_TEST_POSTGRES_URL",
			"jdbc:postgresql://127.0.0.1:5432/trawl_test");
	public static final String POSTGRES_USER = System.getenv().getOrDefault("TRAWL_TEST_POSTGRES_USER", "trawl");
	public static final String POSTGRES_PASSWORD = System.getenv().getOrDefault("TRAWL_TEST_POSTGRES_PASSWORD", "trawl");

	private JdbcDatabases() {
	}

	public static DataSource h2() {
		return new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
	}

	/** Fails, never skips, when PostgreSQL is not there: the contract must hold on it. */
	public static DataSource postgres() {
		DriverManagerDataSource dataSource = new DriverManagerDataSource(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD);
		try (Connection ignored = dataSource.getConnection()) {
			return dataSource;
		}
		catch (SQLException e) {
			throw new IllegalStateException("PostgreSQL is not reachable at " + POSTGRES_URL + " as " + POSTGRES_USER
					+ " (" + e.getMessage() + "). Start it with .ci/run, or set TRAWL_TEST_POSTGRES_URL/_USER/_PASSWORD.",
					e);
		}
	}

	/** Both, for a parameterized test of what holds on every JDBC store ({@code @MethodSource}). */
	public static Stream<DataSource> h2AndPostgres() {
		return Stream.of(h2(), postgres());
	}

	/** The test PostgreSQL with {@code schema} as the current schema (for tables a test keeps to itself). */
	public static DataSource postgresInSchema(String schema) {
		String url = POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
		return new DriverManagerDataSource(url, POSTGRES_USER, POSTGRES_PASSWORD);
	}

	/** Runs one statement on the test PostgreSQL (a schema made or dropped around a test). */
	public static void executeOnPostgres(String sql) {
		try (Connection connection = postgres().getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException e) {
			throw new IllegalStateException(sql + ": " + e.getMessage(), e);
		}
	}
}
