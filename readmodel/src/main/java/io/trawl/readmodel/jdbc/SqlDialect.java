package io.trawl.readmodel.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/** The two databases Trawl's JDBC adapters speak: H2 (embedded) and PostgreSQL (shared). Upserts differ. */
enum SqlDialect {
	H2, POSTGRESQL;

	static SqlDialect of(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			String product = connection.getMetaData().getDatabaseProductName().toLowerCase();
			if (product.contains("h2")) {
				return H2;
			}
			if (product.contains("postgres")) {
				return POSTGRESQL;
			}
			throw new IllegalStateException("Trawl's JDBC read model supports H2 and PostgreSQL, not " + product);
		}
		catch (SQLException e) {
			throw new IllegalStateException("Cannot reach the database: " + e.getMessage(), e);
		}
	}
}
