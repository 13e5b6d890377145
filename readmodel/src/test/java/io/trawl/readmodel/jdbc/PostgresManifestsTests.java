package io.trawl.readmodel.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;

import io.trawl.readmodel.contract.ManifestsContract;
import io.trawl.readmodel.manifest.Manifests;

class PostgresManifestsTests extends ManifestsContract {

	private static DataSource dataSource;

	@BeforeAll
	static void database() {
		dataSource = JdbcDatabases.postgres();
	}

	/** PostgreSQL's "C" collation sorts by code point (see {@link JdbcManifests}). */
	@Override
	protected boolean sortsSupplementaryCharactersAsJava() {
		return false;
	}

	@Override
	protected Manifests newManifests() {
		return new JdbcManifests(dataSource);
	}
}
