package io.trawl.readmodel.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.trawl.readmodel.contract.EventStoreContract;
import io.trawl.readmodel.query.SampleView;

/**
 * On JDBC a sample's newest result is a pointer to its job's row, not a second copy of its document; a row written
 * with its own document (before) is still read as it is.
 */
class JdbcLatestTests {

	@ParameterizedTest
	@MethodSource("io.trawl.readmodel.jdbc.JdbcDatabases#h2AndPostgres")
	void theNewestResultIsReadFromItsJobsRowAndAnOlderRowWithItsOwnDocumentStill(DataSource dataSource) {
		JdbcQueryTables tables = new JdbcQueryTables(dataSource);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		long job = 7_000_000 + System.nanoTime() % 1_000_000;
		String sha256 = EventStoreContract.sha("latest/" + job);
		Instant at = Instant.parse("2026-12-06T00:00:00Z");
		String older = "{\"sha256\":\"" + sha256 + "\",\"verdict\":\"clean\",\"n\":1}";
		String newer = "{\"sha256\":\"" + sha256 + "\",\"verdict\":\"malicious\",\"n\":2}";

		// given a sample projected by two jobs
		tables.putSamples(List.of(new SampleView(job, sha256, sha256, "clean", at, older)));
		tables.putSamples(List.of(new SampleView(job + 1, sha256, sha256, "malicious", at.plusSeconds(1), newer)));

		// then its newest result is the second job's, whose document is stored once, in that job's row
		assertThat(tables.latest(sha256)).hasValueSatisfying(latest -> {
			assertThat(latest.jobInstanceId()).isEqualTo(job + 1);
			assertThat(latest.verdict()).isEqualTo("malicious");
			assertThat(latest.document()).isEqualTo(newer);
		});
		assertThat(jdbc.queryForObject("SELECT document FROM trawl_sample WHERE sha256 = ?", String.class, sha256))
			.isEqualTo(JdbcQueryTables.IN_JOB_ROW);

		// and with that job's row gone (damaged tables), there is no newest result until a rebuild
		jdbc.update("DELETE FROM trawl_job_sample WHERE job_instance_id = ?", job + 1);
		assertThat(tables.latest(sha256)).isEmpty();

		// a row that holds its own document, as written before, is read as it is
		String legacy = EventStoreContract.sha("legacy/" + job);
		String document = "{\"sha256\":\"" + legacy + "\",\"verdict\":\"clean\"}";
		jdbc.update("INSERT INTO trawl_sample (sha256, job_instance_id, verdict, analysed_at, document) "
				+ "VALUES (?, ?, ?, ?, ?)", legacy, job, "clean", Timestamp.from(at), document);
		assertThat(tables.latest(legacy)).hasValueSatisfying(latest -> {
			assertThat(latest.document()).isEqualTo(document);
			assertThat(latest.sha256()).isEqualTo(legacy);
			assertThat(latest.analysedAt()).isEqualTo(at);
		});
	}
}
