package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.ReferenceTools;

/**
 * A JVM killed from outside (kill -9, no crash log) while the careful first chunk of a restart is analysing a sample:
 * the next restart must not hold that death against the sample. It is analysed in full, native analyzers (YARA)
 * included, and its ssdeep equals the CLI's. Through the real launcher, with {@link HangingAnalyzer} holding the sample in
 * flight until the test has killed the JVM.
 */
class KilledInCarefulChunkIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int ORDINARY = 8;
	private static final String HELD = "sample-0003-held.bin";

	@TempDir
	Path workspace;

	@Test
	void aKillFromOutsideDuringTheCarefulChunkDoesNotMakeTheSampleInFlightASuspect() throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		List<Path> files = new ArrayList<>(Launches.randomFiles(corpus, ORDINARY, 3, 4096, 8192,
				i -> String.format("sample-%04d.bin", i)));
		files.add(Files.writeString(corpus.resolve(HELD), HangingAnalyzer.MARKER + " then the rest\n".repeat(300)));
		Path data = workspace.resolve("data");
		Path armed = Files.writeString(workspace.resolve("hang"), "armed");
		Path hanging = Path.of(armed + ".hanging");
		Files.writeString(workspace.resolve("vmstat"), "oom_kill 0\n");

		// an ordinary run, killed with the held sample in flight: no markers yet, and no automatic restart
		Process rescan = trawl(data, armed, "rescan", "--source", corpus.toString(), "--trawl.analysis.chunk-size=100")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(workspace.resolve("rescan.err").toFile())
			.start();
		killWhenHeld(rescan, hanging, "rescan.err");
		assertThat(rescan.exitValue()).as(read("rescan.err")).isEqualTo(137);
		long executionId = JobDatabase.startedExecution(data);

		// the restart's careful chunk marks the held sample as started, and is killed with it in flight
		Process careful = trawl(data, armed, "restart", Long.toString(executionId))
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(workspace.resolve("careful.err").toFile())
			.start();
		killWhenHeld(careful, hanging, "careful.err");
		assertThat(careful.exitValue()).as(read("careful.err")).isEqualTo(137);
		assertThat(JobDatabase.query(data, "SELECT COUNT(*) FROM trawl_event WHERE kind = 'ATTEMPT'"))
			.as("a started marker without its done marker").isOdd();

		// the next restart finds the marker, but no crash log for the JVM that wrote it
		Files.delete(armed);
		Process restart = trawl(data, armed, "restart", Long.toString(executionId))
			.redirectError(workspace.resolve("restart.err").toFile())
			.start();
		String out = new String(restart.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(restart.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(restart.exitValue()).as(read("restart.err")).isZero();
		assertThat(Files.readString(data.resolve("trawl.log"))).contains(HELD + " was being analysed when the worker "
				+ "process", "stopped without a crash log: it was killed from outside");

		JsonNode summary = JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(summary.get("resultEvents").asLong()).isEqualTo(ORDINARY + 1);
		assertThat(summary.get("errors").asLong()).isZero();
		Process results = trawl(data, armed, "results", "--job", summary.get("jobExecutionId").asString())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		List<JsonNode> rows = new String(results.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
			.filter(l -> !l.isBlank())
			.map(JSON::readTree)
			.toList();
		assertThat(results.waitFor(2, TimeUnit.MINUTES)).isTrue();
		Map<Path, String> ssdeep = ReferenceTools.ssdeep(corpus);
		Map<Path, String> sha256 = ReferenceTools.sums("sha256sum", files);
		JsonNode held = rows.stream()
			.filter(row -> row.get("sha256").asString().equals(sha256.get(corpus.resolve(HELD))))
			.findFirst()
			.orElseThrow();
		assertThat(held.get("errors")).isEmpty();
		assertThat(held.get("hanging").asString()).isEqualTo("passed");
		assertThat(held.get("ssdeep").asString()).isEqualTo(ssdeep.get(corpus.resolve(HELD)));
		assertThat(held.get("yara").isArray()).as("YARA, the native analyzer, ran on it").isTrue();
		assertThat(held.get("verdict").asString()).isEqualTo("clean");
	}

	/** Waits for the analyzer to hold the sample, kills the JVM, and waits for the launcher to give up. */
	private void killWhenHeld(Process launcher, Path hanging, String err) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
		while (!Files.exists(hanging)) {
			assertThat(launcher.isAlive()).as("still running: %s", read(err)).isTrue();
			assertThat(System.nanoTime()).as("the sample held within 3 minutes").isLessThan(deadline);
			Thread.sleep(50);
		}
		Files.delete(hanging);
		Launches.killJvm(launcher, () -> read(err));
		assertThat(launcher.waitFor(1, TimeUnit.MINUTES)).isTrue();
	}

	private String read(String name) {
		return Launches.read(workspace.resolve(name));
	}

	private ProcessBuilder trawl(Path data, Path armed, String... args) {
		ProcessBuilder builder = Launches.withTestAnalyzer(Launches.trawl(data, args), HangingAnalyzer.class);
		Map<String, String> env = builder.environment();
		env.put("TRAWL_TEST_HANG", armed.toString());
		// the kernel's OOM kill count, held still: these kills are from outside, whatever else the machine does
		env.put("TRAWL_OOM_COUNTER", workspace.resolve("vmstat").toString());
		return builder;
	}
}
