package io.trawl.jobs;

import javax.sql.DataSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import io.trawl.jobs.rescan.SampleSources;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.jdbc.JdbcEventStore;
import io.trawl.readmodel.jdbc.JdbcManifests;
import io.trawl.readmodel.jdbc.JdbcQueryTables;
import io.trawl.readmodel.manifest.Manifests;
import io.trawl.readmodel.query.QueryTables;

/**
 * The embedded default's adapters: events and query tables in the job repository's database (H2, or PostgreSQL with
 * the postgres profile), samples from local folders. The aws profile supplies DynamoDB and S3 instead.
 */
@Configuration(proxyBeanMethods = false)
@Profile("!aws")
class EmbeddedConfiguration {

	@Bean
	EventStore eventStore(DataSource dataSource) {
		return new JdbcEventStore(dataSource);
	}

	@Bean
	Manifests manifests(DataSource dataSource) {
		return new JdbcManifests(dataSource);
	}

	@Bean
	QueryTables queryTables(DataSource dataSource) {
		return new JdbcQueryTables(dataSource);
	}

	@Bean
	SampleSources sampleSources(TrawlProperties properties) {
		return SampleSources.folders(properties.analysis().inMemoryLimit().toBytes(),
				properties.sources().maxDepth());
	}
}
