package io.trawl.readmodel.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;

import io.trawl.readmodel.contract.ManifestsContract;
import io.trawl.readmodel.manifest.Manifests;

class H2ManifestsTests extends ManifestsContract {

	private static DataSource dataSource;

	@BeforeAll
	static void database() {
		dataSource = JdbcDatabases.h2();
	}

	@Override
	protected Manifests newManifests() {
		return new JdbcManifests(dataSource);
	}
}
