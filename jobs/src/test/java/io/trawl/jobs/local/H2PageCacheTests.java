package io.trawl.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;

import com.zaxxer.hikari.HikariDataSource;

import io.trawl.jobs.TrawlApplication;

/**
 * H2's page cache sized by the heap ({@link H2PageCache}): on the URL {@code application.yml} opens the store with,
 * and in the service's own context (the same one as {@code EmbeddedDefaultStartsNoSqsTests}, so it is started once).
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:no-sqs;DB_CLOSE_DELAY=-1",
				"trawl.data-dir=target/test-data-no-sqs", "trawl.rules=../config/rules" })
class H2PageCacheTests {

	private static final long MB = 1024 * 1024;

	@TempDir
	Path dataDir;

	@Autowired
	DataSource serviceDataSource;

	@Test
	void anEighthOfTheHeapAtMost256MbAndAtLeast4() {
		assertThat(H2PageCache.kilobytes(128 * MB)).as("a 512 MB container's heap").isEqualTo(16 * 1024);
		assertThat(H2PageCache.kilobytes(256 * MB)).isEqualTo(32 * 1024);
		assertThat(H2PageCache.kilobytes(1024 * MB)).isEqualTo(128 * 1024);
		assertThat(H2PageCache.kilobytes(6 * 1024 * MB)).as("a service on a 24 GB machine").isEqualTo(256 * 1024);
		assertThat(H2PageCache.kilobytes(16 * MB)).isEqualTo(4 * 1024);
	}

	@Test
	void aUrlThatNamesItsCacheOrIsNotH2KeepsIt() {
		assertThat(H2PageCache.url("jdbc:h2:file:/d/trawl;cache_size=2048", 6 * 1024 * MB))
			.isEqualTo("jdbc:h2:file:/d/trawl;cache_size=2048");
		assertThat(H2PageCache.url("jdbc:postgresql://localhost/trawl", 6 * 1024 * MB))
			.isEqualTo("jdbc:postgresql://localhost/trawl");
		assertThat(H2PageCache.url("jdbc:h2:file:/d/trawl;WRITE_DELAY=0", 128 * MB))
			.isEqualTo("jdbc:h2:file:/d/trawl;WRITE_DELAY=0;CACHE_SIZE=16384");
	}

	@Test
	void theStoreOpensWithTheCacheThisHeapGets() throws Exception {
		PropertySource<?> yaml = new YamlPropertySourceLoader()
			.load("application", new ClassPathResource("application.yml")).get(0);
		String url = ((Object) yaml.getProperty("spring.datasource.url")).toString()
			.replace("${trawl.data-dir}", dataDir.toString());
		assertThat(url).as("application.yml leaves the size to H2PageCache").doesNotContainIgnoringCase(";CACHE_SIZE=");
		try (HikariDataSource pool = new HikariDataSource()) {
			pool.setJdbcUrl(url);
			pool.setUsername("sa");
			pool.setPassword("");
			H2PageCache.h2PageCacheForTheHeap().postProcessBeforeInitialization(pool, "dataSource");

			assertThat(megabytes(pool)).isEqualTo(H2PageCache.kilobytes(Runtime.getRuntime().maxMemory()) / 1024);
		}
	}

	/** An in-memory database has no page cache to ask: the service's pool is asked what it opens the store with. */
	@Test
	void theServicesOwnStoreGetsIt() throws Exception {
		assertThat(serviceDataSource.unwrap(HikariDataSource.class).getJdbcUrl())
			.endsWith(";CACHE_SIZE=" + H2PageCache.kilobytes(Runtime.getRuntime().maxMemory()));
	}

	private static long megabytes(DataSource dataSource) {
		return Long.parseLong(new JdbcTemplate(dataSource).queryForObject(
				"SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CACHE_MAX_SIZE'",
				String.class));
	}
}
