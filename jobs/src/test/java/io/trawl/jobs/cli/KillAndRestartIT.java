package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.ReferenceTools;

/**
 * The packaged jar, as a user runs it: a rescan killed with SIGKILL part-way, then {@code trawl restart}. Nothing may
 * be lost or duplicated, and the results must match the reference hashes.
 */
class KillAndRestartIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int FILES = 600;

	@TempDir
	Path workspace;

	@Test
	void aRescanKilledPartWayIsRestartedToExactlyOneResultPerSample() throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		List<Path> files = Launches.randomFiles(corpus, FILES, 7, 64 * 1024, 192 * 1024,
				i -> String.format("d%02d/sample-%04d.bin", i % 17, i));
		Path data = workspace.resolve("data");

		Process rescan = Launches.jar(data, "rescan", "--source", corpus.toString(), "--trawl.analysis.chunk-size=2")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(workspace.resolve("rescan.err").toFile())
			.start();
		long stored = JobDatabase.awaitAnalysed(data, 40, rescan, this::rescanErrors);
		rescan.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
		assertThat(rescan.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(stored).as("killed part-way").isBetween(1L, (long) FILES - 1);
		long executionId = JobDatabase.startedExecution(data);

		Process restart = Launches.jar(data, "restart", Long.toString(executionId))
			.redirectError(workspace.resolve("restart.err").toFile())
			.start();
		String out = new String(restart.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(restart.waitFor(5, TimeUnit.MINUTES)).isTrue();

		assertThat(restart.exitValue()).as(Files.readString(workspace.resolve("restart.err"))).isZero();
		JsonNode summary = JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(summary.get("samples").asLong()).isEqualTo(FILES);
		assertThat(summary.get("resultEvents").asLong()).isEqualTo(FILES);
		assertThat(summary.get("files").asLong()).isEqualTo(FILES);

		Process results = Launches.jar(data, "results", "--job", summary.get("jobExecutionId").asString()).start();
		List<String> lines = new String(results.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
			.filter(l -> !l.isBlank())
			.toList();
		assertThat(results.waitFor(2, TimeUnit.MINUTES)).isTrue();
		Set<String> reported = lines.stream().map(l -> JSON.readTree(l).get("sha256").asString())
			.collect(Collectors.toSet());
		// java -jar on the Spring Boot jar: its native hosts start through the jar's launcher
		assertThat(lines).allSatisfy(line -> {
			JsonNode row = JSON.readTree(line);
			assertThat(row.get("errors")).as(line).isEmpty();
			assertThat(row.get("ssdeep").asString()).as(line).isNotBlank();
			assertThat(row.get("yara").isArray()).as("YARA ran, in a native host: %s", line).isTrue();
		});
		assertThat(data.resolve("native-host.log")).as("the hosts' stderr, in the data folder").exists();
		assertThat(lines).hasSize(FILES);
		assertThat(reported).isEqualTo(Set.copyOf(ReferenceTools.sums("sha256sum", files).values()));
	}

	private String rescanErrors() {
		return Launches.read(workspace.resolve("rescan.err"));
	}
}
