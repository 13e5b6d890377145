package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The launcher on the java TRAWL_JAVA names, here the JDK running the tests (Maven's, 17 on this project's machines):
 * what a machine without a JDK 25 gets, with its class-data archive instead of the AOT cache.
 */
class LauncherJavaIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path workspace;

	@Test
	void aRescanRunsOnTheJavaTrawlJavaNames() throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		Launches.randomFiles(corpus, 5, 3, 1024, 4096, i -> "sample-" + i + ".bin");
		Path data = workspace.resolve("data");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

		ProcessBuilder builder = Launches.trawl(data, "rescan", "--source", corpus.toString())
			.redirectError(workspace.resolve("rescan.err").toFile());
		builder.environment().put("TRAWL_JAVA", java);
		Process rescan = builder.start();
		String out = new String(rescan.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(rescan.waitFor(5, TimeUnit.MINUTES)).isTrue();

		assertThat(rescan.exitValue()).as(Files.readString(workspace.resolve("rescan.err"))).isZero();
		JsonNode summary = JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(summary.get("samples").asLong()).isEqualTo(5);
		assertThat(Files.readString(data.resolve("trawl.log")))
			.contains("on Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
	}
}
