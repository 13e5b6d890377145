package io.trawl.jobs.security;

import javax.sql.DataSource;

import io.trawl.readmodel.jdbc.JdbcDatabases;

/** The JDBC adapter on H2, the embedded default. */
class H2ApiKeysTests extends ApiKeysContract {

	@Override
	DataSource dataSource() {
		return JdbcDatabases.h2();
	}
}
