package io.trawl.jobs.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.cli.CliRunner;

/**
 * {@code trawl demo} ends with a summary for a person on stderr (verdicts, top rule hits, the next two commands),
 * and the JSON summary is still the last line of stdout.
 */
class DemoSummaryTests {

	@TempDir
	Path folder;

	@Test
	void theDemoEndsWithAHumanSummaryAndKeepsItsJsonLineLast() {
		CliRunner.Run run = CliRunner.run(Map.of(), "demo", "--dir", folder.resolve("corpus").toString(),
				"--trawl.data-dir=" + folder.resolve("data"), "--trawl.rules=../config/rules",
				"--spring.datasource.url=jdbc:h2:mem:demo-summary;DB_CLOSE_DELAY=-1");

		assertThat(run.exitCode()).as(run.stderr()).isZero();
		JsonNode summary = JsonMapper.builder().build().readTree(run.lastLine());
		long job = summary.get("jobExecutionId").asLong();
		long malicious = summary.get("verdicts").get("malicious").asLong();
		long eicarHits = summary.get("ruleHits").get("EICAR_Test_File").asLong();
		assertThat(malicious).isPositive();

		String human = run.stderr().substring(run.stderr().lastIndexOf("\nJob " + job + " COMPLETED: ") + 1);
		assertThat(human).startsWith("Job " + job + " COMPLETED: " + summary.get("samples").asLong() + " samples, ")
			.contains(malicious + " malicious")
			.contains("Top rule hits:\n")
			.containsPattern("\n +" + eicarHits + "  EICAR_Test_File\n")
			.contains("  ./trawl results --job " + job + " --format table\n")
			.contains("  ./trawl serve     then open http://127.0.0.1:8080/ui/jobs");
		assertThat(human.strip().lines().count()).isLessThanOrEqualTo(12);
	}
}
