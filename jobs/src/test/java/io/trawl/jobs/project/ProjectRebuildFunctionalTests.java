package io.trawl.jobs.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.containment.CrashEvidence;
import io.trawl.jobs.rescan.OwnerListener;
import io.trawl.jobs.rescan.RescanJobConfiguration;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.readmodel.jdbc.JdbcQueryTables;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * {@code projectRebuildJob} on the embedded default: after several rescans (two corpora, two rulesets, archives, an
 * unreadable location, one job that failed in its projection), a rebuild gives every query table back row for row,
 * and the same answers from status and results; also after the tables were damaged, and after a rebuild that failed
 * mid-way was restarted.
 */
@SpringBootTest(classes = { TrawlApplication.class, ProjectRebuildFunctionalTests.Tables.class }, properties = {
		"spring.datasource.url=jdbc:h2:mem:project-rebuild;DB_CLOSE_DELAY=-1", "trawl.data-dir=target/test-data",
		"trawl.analysis.grid-size=2", "trawl.analysis.threads=2", "trawl.analysis.chunk-size=5",
		"trawl.sources.max-depth=2" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProjectRebuildFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final List<String> TABLES = List.of("trawl_job_sample", "trawl_sample", "trawl_rule_hit",
			"trawl_job_summary", "trawl_rule_job");

	@TempDir
	static Path workspace;
	static Path corpusA;
	static Path corpusB;
	static Path rulesA;
	static Path rulesB;
	/** The rescans' executions, set by the first test. */
	static final List<Long> rescans = new ArrayList<>();
	static long failedRescanInstance;

	@Autowired
	RescanLauncher launcher;
	@Autowired
	ProjectRebuild rebuild;
	@Autowired
	JobStatusService status;
	@Autowired
	JobRepository jobs;
	@Autowired
	DataSource dataSource;
	@Autowired
	FlakyTables flaky;

	@TestConfiguration
	static class Tables {

		@Bean
		@Primary
		FlakyTables flakyTables(DataSource dataSource) {
			return new FlakyTables(new JdbcQueryTables(dataSource));
		}
	}

	@BeforeAll
	static void givenTwoCorporaAndTwoRulesets() throws IOException {
		corpusA = Files.createDirectories(workspace.resolve("a"));
		TestCorpus.writeTo(corpusA); // PE, ELF, zip, tar, gzip, a zip bomb, EICAR
		// deeper than trawl.sources.max-depth: one unreadable location, a FAILED result
		Files.writeString(Files.createDirectories(corpusA.resolve("d1/d2/d3/d4")).resolve("deep.txt"), "deep\n");
		corpusB = Files.createDirectories(workspace.resolve("b"));
		Files.write(corpusB.resolve("eicar-again.txt"), TestCorpus.eicar()); // a sample both corpora have
		Files.write(corpusB.resolve("pe32.exe"), TestCorpus.pe32());
		Files.write(corpusB.resolve("members.zip"), TestCorpus.zip(Map.of("inner/eicar.com", TestCorpus.eicar(),
				"inner/new.txt", "only in b: https://example.org/x\n".getBytes())));
		Files.write(corpusB.resolve("random.bin"), TestCorpus.randomBytes(10_000, 99));
		rulesA = Files.copy(Path.of("src/test/resources/test-rules.yar"), workspace.resolve("a.yar"));
		rulesB = Files.writeString(workspace.resolve("b.yar"), """
				rule Eicar { strings: $e = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $e }
				rule Url { strings: $u = "https://" condition: $u }
				rule MzAnywhere { strings: $m = "MZ" condition: $m }
				""");
	}

	@Test
	@Order(1)
	void aRebuildGivesEveryTableAndEveryAnswerBack() throws Exception {
		// given four rescans that projected (two corpora, two rulesets, corpus A twice so its samples' latest moves)
		rescans.add(rescan(corpusA, rulesA));
		rescans.add(rescan(corpusB, rulesB));
		rescans.add(rescan(corpusA, rulesB));
		rescans.add(rescan(corpusB, rulesA));
		// and one that failed in its projection: it has events but no tables, so a rebuild must not give it any
		JobExecution failed = launcher.run(request(corpusB, rulesB, () -> flaky.failNextSummaryOf(
				jobs.getLastJobInstance(RescanJobConfiguration.JOB_NAME).getInstanceId() + 1)));
		assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
		failedRescanInstance = failed.getJobInstance().getInstanceId();
		assertThat(new JdbcTemplate(dataSource).queryForObject(
				"SELECT COUNT(*) FROM trawl_event WHERE job_instance_id = ?", Long.class, failedRescanInstance))
			.isPositive();
		rescans.add(failed.getId());
		Snapshot before = snapshot();
		assertThat(before.tables.get("trawl_job_sample")).hasSizeGreaterThan(40);
		assertThat(before.tables.get("trawl_job_sample")).anyMatch(row -> row.contains(null)); // the unreadable one
		assertThat(before.tables.get("trawl_rule_hit")).isNotEmpty();
		assertThat(before.tables.get("trawl_rule_job")).isNotEmpty();
		assertThat(before.rules).contains("Eicar");
		assertThat(before.diffs).anyMatch(line -> line.contains("\"gone\"")); // corpus B's samples, then A's

		// when the tables are rebuilt
		JobExecution rebuilt = rebuild.run("test");

		// then every table, and every answer, is what the jobs' own projections gave
		assertThat(rebuilt.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertSameAs(before);
		ProjectRebuild.Report report = rebuild.report(rebuilt);
		assertThat(report.jobs()).isEqualTo(4);
		assertThat(report.samples()).isEqualTo(before.tables.get("trawl_job_sample").size());
		assertThat(report.events()).isGreaterThan(report.samples());
	}

	@Test
	@Order(2)
	void aRebuildRepairsDamagedTables() throws Exception {
		// given the tables as the jobs left them, then damaged: rows gone, a verdict changed, a summary lost
		Snapshot before = snapshot();
		long first = status.get(rescans.get(0)).orElseThrow().jobInstanceId();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		assertThat(jdbc.update("DELETE FROM trawl_job_sample WHERE job_instance_id = ? AND sample_key < '8'", first))
			.isPositive();
		assertThat(jdbc.update("UPDATE trawl_sample SET verdict = 'clean' WHERE verdict <> 'clean'")).isPositive();
		assertThat(jdbc.update("DELETE FROM trawl_job_summary WHERE job_instance_id = ?", first)).isOne();
		jdbc.update("INSERT INTO trawl_rule_hit (job_instance_id, rule, sha256) VALUES (?, 'Bogus', 'ab')", first);
		assertThat(snapshot()).isNotEqualTo(before);

		// when the tables are rebuilt
		JobExecution rebuilt = rebuild.run("test");

		// then they are as before the damage
		assertThat(rebuilt.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertSameAs(before);
	}

	@Test
	@Order(3)
	void aRebuildThatFailedMidWayRestartsWithTheJobsLeftAndGivesTheSameTables() throws Exception {
		// given a rebuild whose projection of the second job fails once
		Snapshot before = snapshot();
		long second = status.get(rescans.get(1)).orElseThrow().jobInstanceId();
		flaky.failNextSummaryOf(second);
		JobExecution failed = rebuild.run("test");
		assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
		assertThat(rebuild.report(failed).jobs()).isEqualTo(3);
		assertThat(snapshot()).isNotEqualTo(before);
		flaky.summaries.clear();

		// when it is restarted as ./trawl restart does
		JobExecution restarted = launcher.restart(failed.getId());

		// then only that job is projected again, and the tables are as before
		assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(restarted.getJobInstance().getInstanceId()).isEqualTo(failed.getJobInstance().getInstanceId());
		assertThat(restarted.getStepExecutions()).extracting(StepExecution::getStepName)
			.containsExactlyInAnyOrder("projectJobsStep", "projectJobStep:job" + second, "diffJobsStep");
		// (the other summaries written now are the diffs the failed run never reached: diffJobsStep comes last)
		assertThat(flaky.summaries.keySet()).contains(second);
		assertSameAs(before);
		assertThat(rebuild.report(restarted).jobs()).isEqualTo(4);
	}

	@Test
	@Order(4)
	void aRebuildIsRefusedWhileARescanRuns() throws Exception {
		// given a rescan execution that this process runs
		JobParameters parameters = new JobParametersBuilder().addString("requestId", "running-" + System.nanoTime())
			.toJobParameters();
		JobInstance instance = jobs.createJobInstance(RescanJobConfiguration.JOB_NAME, parameters);
		JobExecution running = jobs.createJobExecution(instance, parameters, new ExecutionContext());
		running.setStatus(BatchStatus.STARTED);
		running.setStartTime(LocalDateTime.now());
		jobs.update(running);
		running.getExecutionContext().putString(OwnerListener.HOST, CrashEvidence.hostName());
		running.getExecutionContext().putLong(OwnerListener.PID, ProcessHandle.current().pid());
		jobs.updateExecutionContext(running);
		Snapshot before = snapshot();
		try {
			// then a rebuild is refused with one sentence, and the tables are left alone
			assertThatThrownBy(() -> rebuild.run("test")).isInstanceOf(IllegalStateException.class)
				.hasMessage("A rescan is running (job execution " + running.getId() + "); the query tables are "
						+ "rebuilt only while no rescan runs, so run ./trawl project --rebuild again once it has ended.");
			assertSameAs(before);
		}
		finally {
			running.setStatus(BatchStatus.FAILED);
			running.setEndTime(LocalDateTime.now());
			jobs.update(running);
		}
	}

	private long rescan(Path corpus, Path rules) throws Exception {
		JobExecution execution = launcher.run(request(corpus, rules, () -> {
		}));
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		return execution.getId();
	}

	private RescanLauncher.Request request(Path corpus, Path rules, Runnable before) {
		before.run();
		return new RescanLauncher.Request(corpus.toString(), rules.toString(), "rebuild-test-" + System.nanoTime(),
				null);
	}

	private void assertSameAs(Snapshot before) {
		Snapshot now = snapshot();
		for (String table : TABLES) {
			assertThat(now.tables.get(table)).as(table).isEqualTo(before.tables.get(table));
		}
		assertThat(now.status).isEqualTo(before.status);
		assertThat(now.results).isEqualTo(before.results);
		assertThat(now.diffs).isEqualTo(before.diffs);
		assertThat(now.rules).isEqualTo(before.rules);
	}

	/** Every query table's rows as a set (the projection time left out), and each rescan's status and results. */
	private Snapshot snapshot() {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Map<String, Set<List<Object>>> tables = new LinkedHashMap<>();
		for (String table : TABLES) {
			tables.put(table, new HashSet<>(jdbc.query("SELECT * FROM " + table, ProjectRebuildFunctionalTests::row)));
		}
		Map<Long, String> statuses = new LinkedHashMap<>();
		Map<Long, List<String>> results = new LinkedHashMap<>();
		for (long execution : rescans) {
			statuses.put(execution, JSON.writeValueAsString(status.get(execution).orElseThrow()));
			List<String> documents = new ArrayList<>();
			status.results(execution, view -> documents.add(view.document()));
			results.put(execution, documents);
		}
		// what ./trawl diff says between each rescan and the one before it, and what ./trawl rules says
		List<String> diffs = new ArrayList<>();
		for (int i = 1; i < rescans.size(); i++) {
			diffs.add(JSON.writeValueAsString(status.diffCounts(rescans.get(i - 1), rescans.get(i))));
			status.changes(rescans.get(i - 1), rescans.get(i), null, change -> diffs.add(JSON.writeValueAsString(change)));
		}
		return new Snapshot(tables, statuses, results, diffs, JSON.writeValueAsString(status.rules()));
	}

	private static List<Object> row(ResultSet rs, int index) throws SQLException {
		List<Object> row = new ArrayList<>();
		for (int column = 1; column <= rs.getMetaData().getColumnCount(); column++) {
			String name = rs.getMetaData().getColumnName(column);
			Object value = rs.getObject(column);
			if (name.equalsIgnoreCase("projected_at")) {
				continue; // when the projection ran: the one column a rebuild changes
			}
			if (value instanceof Clob) {
				value = rs.getString(column);
			}
			if (name.equalsIgnoreCase("document") && rs.getMetaData().getTableName(column)
				.equalsIgnoreCase("trawl_job_summary")) {
				ObjectNode summary = (ObjectNode) JSON.readTree((String) value);
				summary.remove("projectedAt");
				value = summary.toString();
			}
			row.add(value);
		}
		return row;
	}

	record Snapshot(Map<String, Set<List<Object>>> tables, Map<Long, String> status,
			Map<Long, List<String>> results, List<String> diffs, String rules) {
	}
}
