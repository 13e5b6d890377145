package io.trawl.jobs.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.cli.CliRunner;
import io.trawl.worker.testcorpus.TestCorpus;

/** {@code ./trawl project --rebuild} as a user runs it: progress on stderr, a JSON line last, and its mistakes. */
class ProjectCommandTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path data;
	@TempDir
	Path corpus;

	@Test
	void rebuildPrintsJobsDoneOfAllAndItsCountsLast() throws Exception {
		// given two rescans
		TestCorpus.writeTo(corpus.resolve("one"));
		Files.write(corpus.resolve("two.bin"), TestCorpus.randomBytes(5_000, 3));
		JsonNode first = JSON.readTree(trawl("rescan", "--source", corpus.resolve("one").toString()).lastLine());
		JsonNode second = JSON.readTree(trawl("rescan", "--source", corpus.toString()).lastLine());

		// when the tables are rebuilt
		CliRunner.Run run = trawl("project", "--rebuild");

		// then stderr shows the jobs projected of all, and stdout ends with what was projected
		assertThat(run.exitCode()).as(run.stderr()).isZero();
		assertThat(run.stderr()).contains("] 2/2 jobs").doesNotContain("MB/s").doesNotContain("Exception");
		JsonNode summary = JSON.readTree(run.lastLine());
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(summary.get("jobs").asLong()).isEqualTo(2);
		assertThat(summary.get("samples").asLong())
			.isEqualTo(first.get("samples").asLong() + second.get("samples").asLong());
		assertThat(summary.get("events").asLong()).isGreaterThan(summary.get("samples").asLong());
		assertThat(summary.get("seconds").asDouble()).isPositive();
		// and the rescans answer as before
		assertThat(JSON.readTree(trawl("status", first.get("jobExecutionId").asString(), "--json").stdout())
			.get("samples").asLong()).isEqualTo(first.get("samples").asLong());
		try (Stream<String> lines = trawl("results", "--job", second.get("jobExecutionId").asString()).stdout()
			.lines()) {
			assertThat(lines.count()).isEqualTo(second.get("samples").asLong());
		}
	}

	@Test
	void projectWithoutRebuildSaysWhatItNeedsAndTheHelpListsIt() {
		CliRunner.Run bare = CliRunner.run(Map.of(), "project");
		assertThat(bare.exitCode()).isEqualTo(2);
		assertThat(bare.stderr()).startsWith("trawl: project needs --rebuild.\nUsage: trawl project")
			.doesNotContain("Exception");

		assertThat(CliRunner.run(Map.of(), "--help").stdout()).contains("project --rebuild");
		assertThat(CliRunner.run(Map.of(), "project", "--help").stdout()).contains("--rebuild")
			.contains("Rebuild every query table from the events");
	}

	private CliRunner.Run trawl(String... args) {
		String[] all = Stream.concat(Stream.of(args), Stream.of("--trawl.data-dir=" + data,
				"--spring.datasource.url=jdbc:h2:file:" + data + "/trawl", "--trawl.rules=../config/rules"))
			.toArray(String[]::new);
		return CliRunner.run(Map.of(), all);
	}
}
