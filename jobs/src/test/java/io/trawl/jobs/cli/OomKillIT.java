package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The launcher tells the kernel's OOM killer from a kill -9 by someone: both are a SIGKILL (exit 137), but only the
 * first raises the kernel's oom_kill count. The JVM is really killed with SIGKILL; the count is a file standing in
 * for /proc/vmstat (TRAWL_OOM_COUNTER), because a test cannot make the kernel's OOM killer strike on demand.
 */
class OomKillIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int FILES = 1000;

	@TempDir
	Path workspace;

	@Test
	void anOomKillIsRestartedAutomaticallyAndAKillBySomeoneIsNot() throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		Launches.randomFiles(corpus, FILES, 5, 64 * 1024, 128 * 1024, i -> String.format("sample-%04d.bin", i));
		Path data = workspace.resolve("data");
		Path counter = Files.writeString(workspace.resolve("vmstat"), "pgfault 100\noom_kill 3\n");

		// a kill -9 by someone: the launcher stops with the JVM's status and leaves the restart to the user
		Process rescan = trawl(data, counter, "rescan", "--source", corpus.toString(), "--trawl.analysis.chunk-size=2")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(workspace.resolve("rescan.err").toFile())
			.start();
		JobDatabase.awaitAnalysed(data, 20, rescan, () -> read("rescan.err"));
		Launches.killJvm(rescan, () -> read("rescan.err"));
		assertThat(rescan.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(rescan.exitValue()).isEqualTo(137);
		assertThat(read("rescan.err")).doesNotContain("restarting", "OOM");
		long executionId = JobDatabase.startedExecution(data);
		assertThat(executionId).isPositive();

		// the OOM killer: the count goes up as the JVM dies, and the launcher restarts the job itself
		Process restart = trawl(data, counter, "restart", Long.toString(executionId))
			.redirectError(workspace.resolve("restart.err").toFile())
			.start();
		// not polled through the database: a reader holding it while the restart's JVM starts could make the
		// restart's own first connection fail
		awaitLine(restart, "restart.err", "recovering it");
		Thread.sleep(1500);
		Files.writeString(counter, "pgfault 100\noom_kill 4\n");
		Launches.killJvm(restart, () -> read("restart.err"));
		String out = new String(restart.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(restart.waitFor(5, TimeUnit.MINUTES)).isTrue();
		String err = read("restart.err");

		assertThat(restart.exitValue()).as(err).isZero();
		assertThat(err).contains("trawl: the kernel's OOM killer stopped the JVM (exit 137")
			.containsPattern("trawl: restarting job execution \\d+ automatically");
		try (Stream<Path> files = Files.list(data)) {
			assertThat(files.map(p -> p.getFileName().toString()).filter(name -> name.startsWith("oom_kill_pid")))
				.as("the OOM kill, not the kill -9, recorded beside the crash logs")
				.singleElement().satisfies(name -> assertThat(name).matches("oom_kill_pid\\d+\\.log"));
		}
		JsonNode summary = JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(summary.get("samples").asLong()).isEqualTo(FILES);
		assertThat(summary.get("resultEvents").asLong()).as("nothing lost, nothing duplicated").isEqualTo(FILES);
	}

	private void awaitLine(Process launcher, String file, String text) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
		while (!read(file).contains(text)) {
			assertThat(launcher.isAlive()).as("still running: %s", read(file)).isTrue();
			assertThat(System.nanoTime()).as("'%s' within 2 minutes", text).isLessThan(deadline);
			Thread.sleep(50);
		}
	}

	private String read(String name) {
		return Launches.read(workspace.resolve(name));
	}

	private ProcessBuilder trawl(Path data, Path counter, String... args) {
		ProcessBuilder builder = Launches.trawl(data, args);
		builder.environment().put("TRAWL_OOM_COUNTER", counter.toString());
		return builder;
	}
}
