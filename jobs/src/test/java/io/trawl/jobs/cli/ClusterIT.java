package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.devtools.AwsLocal;

/**
 * A one-machine cluster as docs/aws-local.md runs it, each process a separate JVM through {@code ./trawl}
 * ({@link LocalCluster}): the emulators of {@code trawl aws-local} (S3Proxy, ElasticMQ, dynalite), a PostgreSQL job
 * repository, {@code trawl serve --role manager} and two {@code trawl worker}s, a launch message on the launch queue.
 * Every partition takes a few seconds ({@link SlowAnalyzer}), so the tests can kill or stop a process part-way; the
 * partitions queue keeps its 5-minute visibility timeout, so a job that completes well before that has not waited for
 * SQS to give a lost partition back.
 */
class ClusterIT {

	private static final int FILES = 160;
	private static final int PARTITIONS = 8;
	private static final Duration TAKEOVER_WITHIN = Duration.ofSeconds(60);

	@TempDir
	Path workspace;

	private LocalCluster cluster;

	@BeforeEach
	void givenTheEmulatorsAPostgresSchemaAndACorpusInS3() throws Exception {
		cluster = new LocalCluster(workspace, AwsLocal.Settings.transientOnFreePorts(), FILES, PARTITIONS, 400);
	}

	@AfterEach
	void stopEverything() throws Exception {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void aWorkerKilledPartWayHasItsPartitionTakenOverWithinAMinuteAndTheJobCompletes() throws Exception {
		Process manager = cluster.manager("manager");
		Process first = cluster.worker("first");
		Process second = cluster.worker("second");
		cluster.awaitStarted("manager", "first", "second");
		cluster.launch("kill-worker");

		cluster.awaitProgress("first");
		assertThat(StatusWhileRescanIT.listeningTcp(second.pid())).as("a worker opens no TCP port").isEmpty();
		assertThat(StatusWhileRescanIT.listeningTcp(manager.pid())).as("the manager serves the API").hasSize(1);
		assertThat(cluster.log("second")).doesNotContain("launch messages").contains("Worker second receives partitions");
		first.destroyForcibly(); // kill -9: no shutdown hook, no hand-back, no more heartbeats
		LocalDateTime killed = LocalDateTime.now();
		assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
		Set<Long> held = cluster.running("first");
		assertThat(held).as("partitions the killed worker left STARTED").isNotEmpty();

		long job = cluster.awaitJobEnd(Duration.ofMinutes(4), false, manager, second);
		assertThat(cluster.status(job)).isEqualTo("COMPLETED");
		Map<Long, Partition> partitions = partitions();
		assertThat(partitions).hasSize(PARTITIONS);
		for (long id : held) {
			Partition partition = partitions.get(id);
			assertThat(partition.status()).isEqualTo("COMPLETED");
			assertThat(partition.worker()).as("taken over from the killed worker").isEqualTo("second");
			assertThat(partition.attempts()).isGreaterThanOrEqualTo(2);
			// a step execution's start time is set again when the next worker runs it
			assertThat(Duration.between(killed, partition.started())).as("takeover of %d after the kill", id)
				.isPositive()
				.isLessThan(TAKEOVER_WITHIN);
		}
		cluster.assertExactlyOneResultPerSample(job);
		assertThat(cluster.log("second")).contains("takes it over");
		assertThat(cluster.log("manager")).contains("has been silent for").contains("ended COMPLETED");
		assertThat(Files.list(workspace.resolve("data")).map(p -> p.getFileName().toString())
			.filter(name -> name.startsWith("trawl-") && name.endsWith(".log")))
			.as("a log file per process").contains("trawl-manager-" + manager.pid() + ".log",
					"trawl-worker-" + second.pid() + ".log");
	}

	@Test
	void aManagerKilledPartWayIsRestartedAndResumesItsJobWithoutStartingAnother() throws Exception {
		Process manager = cluster.manager("manager");
		Process first = cluster.worker("first");
		Process second = cluster.worker("second");
		cluster.launch("kill-manager");

		cluster.awaitProgress("first");
		Files.writeString(cluster.hold, "held"); // the workers keep their partitions running until the new manager waits
		manager.destroyForcibly();
		assertThat(manager.waitFor(30, TimeUnit.SECONDS)).isTrue();
		Process restarted = cluster.manager("manager-again");
		cluster.awaitStarted("manager-again");
		cluster.await(Duration.ofMinutes(2), () -> cluster.log("manager-again").contains("partitions to the workers"),
				restarted);
		assertThat(cluster.log("manager-again")).as("partitions left to do when the manager came back")
			.doesNotContain("sent 0 partitions");
		Files.delete(cluster.hold);

		long job = cluster.awaitJobEnd(Duration.ofMinutes(4), false, restarted, first, second);
		assertThat(cluster.status(job)).isEqualTo("COMPLETED");
		List<String> executions = cluster.query("SELECT STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID");
		assertThat(executions).as("the killed manager's execution, recovered, then the resumed one")
			.containsExactly("FAILED", "COMPLETED");
		assertThat(cluster.query("SELECT JOB_INSTANCE_ID FROM BATCH_JOB_INSTANCE")).as("one job").hasSize(1);
		cluster.assertExactlyOneResultPerSample(job);
		assertThat(cluster.log("manager-again")).contains("resuming it").contains("ended COMPLETED");
	}

	@Test
	void aWorkerStoppedWithSigtermHandsItsPartitionsBackAndAnotherFinishesThemAtOnce() throws Exception {
		Process manager = cluster.manager("manager");
		Process first = cluster.worker("first");
		Process second = cluster.worker("second");
		cluster.awaitStarted("manager", "first", "second");
		cluster.launch("sigterm-worker");

		cluster.awaitProgress("first");
		first.destroy(); // SIGTERM
		LocalDateTime stopped = LocalDateTime.now();
		assertThat(first.waitFor(90, TimeUnit.SECONDS)).as("the worker stops after its current chunks").isTrue();

		long job = cluster.awaitJobEnd(Duration.ofMinutes(3), false, manager, second);
		assertThat(cluster.status(job)).isEqualTo("COMPLETED");
		Map<Long, Partition> partitions = partitions();
		assertThat(partitions.values()).allSatisfy(p -> assertThat(p.status()).isEqualTo("COMPLETED"));
		List<Partition> handedBack = partitions.values().stream().filter(p -> p.attempts() >= 2).toList();
		assertThat(handedBack).as("partitions the stopped worker handed back").isNotEmpty().allSatisfy(p -> {
			assertThat(p.worker()).isEqualTo("second");
			// well within the 5-minute visibility timeout: the message was made visible at once
			assertThat(Duration.between(stopped, p.started())).isPositive().isLessThan(Duration.ofSeconds(45));
		});
		assertThat(cluster.log("first")).contains("handed back");
		cluster.assertExactlyOneResultPerSample(job);
	}

	private record Partition(String status, String worker, int attempts, LocalDateTime started) {
	}

	private Map<Long, Partition> partitions() throws SQLException {
		Map<Long, Partition> partitions = new HashMap<>();
		try (Connection db = LocalCluster.database(cluster.schema); PreparedStatement select = db.prepareStatement(
				"SELECT s.STEP_EXECUTION_ID, s.STATUS, h.WORKER, h.ATTEMPTS, s.START_TIME FROM BATCH_STEP_EXECUTION s "
						+ "JOIN TRAWL_PARTITION_HEARTBEAT h ON h.STEP_EXECUTION_ID = s.STEP_EXECUTION_ID WHERE "
						+ "s.STEP_NAME LIKE '%:partition%'"); ResultSet rows = select.executeQuery()) {
			while (rows.next()) {
				partitions.put(rows.getLong(1), new Partition(rows.getString(2), rows.getString(3), rows.getInt(4),
						rows.getTimestamp(5).toLocalDateTime()));
			}
		}
		return partitions;
	}
}
