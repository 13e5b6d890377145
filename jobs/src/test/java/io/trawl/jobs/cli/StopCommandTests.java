package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.jobs.web.GatedAnalyzerControl;

/**
 * {@code ./trawl stop ID} from a second process (here a second application context on the same database) stops a
 * job that another one runs; {@code ./trawl restart ID} then completes it with every result once.
 */
@SpringBootTest(classes = TrawlApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "spring.datasource.url=" + StopCommandTests.DATABASE, "trawl.data-dir=target/test-data-stop",
				"trawl.rules=../config/rules", "trawl.analysis.extra-analyzers=io.trawl.jobs.web.GatedAnalyzer" })
class StopCommandTests {

	static final String DATABASE = "jdbc:h2:mem:cli-stop;DB_CLOSE_DELAY=-1";

	@Autowired
	RescanLauncher launcher;

	@Autowired
	JobStatusService status;

	@TempDir
	Path corpus;

	@Test
	void stopThenRestartFromTheCommandLine() throws Exception {
		for (int i = 0; i < 30; i++) {
			Files.writeString(corpus.resolve("file-" + i + ".txt"), "sample " + i);
		}
		Files.writeString(corpus.resolve("gate.bin"), GatedAnalyzerControl.MARKER + " held");
		GatedAnalyzerControl.close();
		long id;
		Result stop;
		Result again;
		try {
			id = launcher.submit(new RescanLauncher.Request(corpus.toString(), null, "cli-stop-" + System.nanoTime(),
					null)).getId();
			await().atMost(Duration.ofSeconds(60)).until(() -> GatedAnalyzerControl.held() > 0);

			stop = cli("stop", Long.toString(id));
			again = cli("stop", Long.toString(id));
		}
		finally {
			GatedAnalyzerControl.open();
		}

		assertThat(stop.code()).as(stop.err()).isZero();
		assertThat(stop.out()).contains("./trawl restart " + id);
		assertThat(again.code()).isEqualTo(2);
		assertThat(again.err()).contains("not running").doesNotContain("Exception");
		Result unknown = cli("stop", "987654321");
		assertThat(unknown.code()).isEqualTo(2);
		assertThat(unknown.err()).contains("There is no job execution 987654321");
		await().atMost(Duration.ofSeconds(60))
			.until(() -> status.execution(id).orElseThrow().getStatus() == BatchStatus.STOPPED);

		Result restart = cli("restart", Long.toString(id));

		assertThat(restart.code()).as(restart.err()).isZero();
		String summary = restart.out().lines().reduce((a, b) -> b).orElseThrow();
		assertThat(summary).contains("\"status\":\"COMPLETED\"").contains("\"samples\":31")
			.contains("\"resultEvents\":31");
		// and the results stream out one line per sample, as JSON lines or as a table
		long restarted = Long.parseLong(summary.replaceAll(".*\"jobExecutionId\":(\\d+).*", "$1"));
		// the restart's progress counts the partitions the stopped execution completed, which it did not run again
		var resumed = status.get(restarted).orElseThrow().progress();
		assertThat(resumed.totalFiles()).isEqualTo(31);
		assertThat(resumed.doneFiles()).isEqualTo(31);
		assertThat(resumed.percent()).isEqualTo(100.0);
		Result jsonl = cli("results", "--job", Long.toString(restarted));
		assertThat(jsonl.out().lines().filter(l -> l.startsWith("{") && l.contains("\"sha256\":\""))).hasSize(31);
		Result table = cli("results", "--job", Long.toString(restarted), "--format", "table");
		List<String> rows = table.out().lines().toList();
		assertThat(rows.get(0)).startsWith("SHA256").contains("VERDICT").contains("SOURCE");
		assertThat(rows.subList(1, rows.size())).hasSize(31).allMatch(row -> row.matches("[0-9a-f]{16} .*"));
	}

	private static Result cli(String... command) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		String[] args = new String[command.length + 4];
		System.arraycopy(command, 0, args, 0, command.length);
		args[command.length] = "--spring.datasource.url=" + DATABASE;
		args[command.length + 1] = "--trawl.data-dir=target/test-data-stop";
		args[command.length + 2] = "--trawl.rules=../config/rules";
		args[command.length + 3] = "--trawl.analysis.extra-analyzers=io.trawl.jobs.web.GatedAnalyzer";
		int code = new TrawlCli(new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
		return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	record Result(int code, String out, String err) {
	}
}
