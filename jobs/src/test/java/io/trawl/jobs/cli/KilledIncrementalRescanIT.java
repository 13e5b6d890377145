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
 * The packaged jar: an incremental rescan, in its larger chunks that mix reused and analysed samples, killed with
 * SIGKILL part-way, then {@code trawl restart}. The restart's careful first chunk is as large as the killed one;
 * nothing may be lost or stored twice, and the results must match the reference hashes of the changed corpus.
 */
class KilledIncrementalRescanIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int FILES = 600;

	@TempDir
	Path workspace;

	@Test
	void anIncrementalRescanKilledPartWayIsRestartedToExactlyOneResultPerSample() throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		List<Path> files = Launches.randomFiles(corpus, FILES, 7, 64 * 1024, 192 * 1024,
				KilledIncrementalRescanIT::name);
		Path data = workspace.resolve("data");
		Process first = Launches.jar(data, "rescan", "--source", corpus.toString())
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(workspace.resolve("first.err").toFile())
			.start();
		assertThat(first.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(first.exitValue()).as(Files.readString(workspace.resolve("first.err"))).isZero();
		// every other file gets new bytes: each incremental chunk reuses half its samples and analyses half
		Launches.randomFiles(corpus, FILES / 2, 8, 64 * 1024, 192 * 1024, i -> name(2 * i));

		Process rescan = Launches.jar(data, "rescan", "--source", corpus.toString(), "--trawl.analysis.chunk-size=2",
				"--trawl.analysis.incremental-chunk-size=20")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(workspace.resolve("rescan.err").toFile())
			.start();
		long stored = awaitSecondJob(data, 40, rescan);
		rescan.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
		assertThat(rescan.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(stored).as("killed part-way").isBetween(1L, (long) FILES - 1);
		long executionId = JobDatabase.startedExecution(data);
		assertThat(JobDatabase.query(data, "SELECT COUNT(*) FROM trawl_event WHERE job_execution_id = " + executionId
				+ " AND kind = 'ATTEMPT'")).as("a first run is not careful").isZero();

		Process restart = Launches.jar(data, "restart", Long.toString(executionId), "--trawl.analysis.chunk-size=2",
				"--trawl.analysis.incremental-chunk-size=20")
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
		long instance = JobDatabase.query(data, "SELECT JOB_INSTANCE_ID FROM BATCH_JOB_EXECUTION "
				+ "WHERE JOB_EXECUTION_ID = " + summary.get("jobExecutionId").asLong());
		assertThat(JobDatabase.query(data, "SELECT COUNT(*) FROM trawl_event WHERE job_instance_id = " + instance
				+ " AND kind = 'ANALYSED'")).as("one result event per sample").isEqualTo(FILES);
		assertThat(JobDatabase.query(data, "SELECT COUNT(*) FROM trawl_event WHERE job_instance_id = " + instance
				+ " AND kind = 'ATTEMPT'")).as("the restart's first chunks are careful").isPositive();
		long firstJob = JobDatabase.query(data, "SELECT MIN(JOB_INSTANCE_ID) FROM BATCH_JOB_INSTANCE");
		// a result's text is the event's own or, when the event holds a digest, the one stored once followed by the
		// event's own tail (its provenance and ruleset version): the provenance is searched in both
		assertThat(JobDatabase.query(data, "SELECT COUNT(*) FROM trawl_event e LEFT JOIN trawl_document d "
				+ "ON d.digest = e.payload_digest WHERE e.job_instance_id = " + instance + " AND e.kind = 'ANALYSED' "
				+ "AND REGEXP_LIKE(COALESCE(d.body, '') || e.payload, '\"hashes\":" + firstJob + "[,}]')"))
			.as("the unchanged files' hashes reused from the first job").isEqualTo(FILES / 2);

		Process results = Launches.jar(data, "results", "--job", summary.get("jobExecutionId").asString()).start();
		List<String> lines = new String(results.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
			.filter(l -> !l.isBlank())
			.toList();
		assertThat(results.waitFor(2, TimeUnit.MINUTES)).isTrue();
		Set<String> reported = lines.stream().map(l -> JSON.readTree(l).get("sha256").asString())
			.collect(Collectors.toSet());
		assertThat(lines).allSatisfy(line -> assertThat(JSON.readTree(line).get("errors")).as(line).isEmpty());
		assertThat(lines).hasSize(FILES);
		assertThat(reported).isEqualTo(Set.copyOf(ReferenceTools.sums("sha256sum", files).values()));
	}

	/** As {@link JobDatabase#awaitAnalysed}, for the second job: the first, complete, is listed until it starts. */
	private long awaitSecondJob(Path data, long count, Process rescan) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
		while (System.nanoTime() < deadline) {
			if (!rescan.isAlive()) {
				throw new IllegalStateException("the rescan ended before it could be killed: " + rescanErrors());
			}
			JsonNode jobs = JobDatabase.statusJson(data);
			if (jobs != null && jobs.size() > 1 && jobs.get(0).get("resultEvents").asLong() >= count) {
				return jobs.get(0).get("resultEvents").asLong();
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("no progress within 3 minutes");
	}

	private static String name(int i) {
		return String.format("d%02d/sample-%04d.bin", i % 17, i);
	}

	private String rescanErrors() {
		return Launches.read(workspace.resolve("rescan.err"));
	}
}
