package io.trawl.readmodel.jdbc;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs a store's {@code CREATE ... IF NOT EXISTS} statements at start-up, when several processes of a cluster may run
 * them at once on a new database. On PostgreSQL two of them can both find a table missing, and the one that commits
 * second fails on a duplicate key in the catalog. Run again, the statement finds the table and does nothing; a real
 * failure (no right to create, a wrong database) fails again and is thrown.
 */
public final class SchemaDdl {

	private static final int ATTEMPTS = 3;

	private SchemaDdl() {
	}

	public static void create(JdbcTemplate jdbc, String... statements) {
		for (String statement : statements) {
			for (int attempt = 1; ; attempt++) {
				try {
					jdbc.execute(statement);
					break;
				}
				catch (DataAccessException raced) {
					if (attempt == ATTEMPTS) {
						throw raced;
					}
				}
			}
		}
	}
}
