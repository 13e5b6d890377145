package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

import io.trawl.devtools.AwsLocal;

/**
 * The emulators of {@code trawl aws-local} restarted under a running cluster (a manager and a worker, separate JVMs
 * through {@code ./trawl}, {@link LocalCluster}): dynalite on the same port and data folder, so the events written
 * before it stopped are still there; ElasticMQ on the same port, its queues created again empty, as a restarted
 * {@code trawl aws-local} does, so the partition messages waiting on it are lost. A short outage is carried by the SDK's
 * retries and the manager's re-sends and the job completes by itself; a long one fails the job with one sentence, and
 * {@code ./trawl restart} completes it. Either way there is exactly one result per sample.
 */
class EmulatorRestartIT {

	private static final int FILES = 96;
	private static final int PARTITIONS = 8;

	@TempDir
	Path workspace;

	private LocalCluster cluster;

	@BeforeEach
	void givenEmulatorsKeepingTheirDataAPostgresSchemaAndACorpusInS3() throws Exception {
		cluster = new LocalCluster(workspace, AwsLocal.Settings.keptOnFreePorts(workspace.resolve("emulators")), FILES,
				PARTITIONS, 300);
	}

	@AfterEach
	void stopEverything() throws Exception {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void dynaliteAndElasticMqRestartedPartWayAreCarriedAndTheJobCompletesByItself() throws Exception {
		Process manager = cluster.manager("manager");
		Process worker = cluster.worker("worker");
		cluster.awaitStarted("manager", "worker");
		cluster.launch("short-outages");
		cluster.awaitProgress("worker");

		// dynalite down for about a second, well inside the SDK's retries (at least 6.3 s over 8 attempts)
		cluster.aws.stopDynamoDb();
		Thread.sleep(1000);
		cluster.aws.startDynamoDbAgain();
		// ElasticMQ down, and back with empty queues: the partitions waiting for the worker lost their messages
		List<String> waiting = cluster.query("SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION WHERE STATUS = "
				+ "'STARTING' AND STEP_NAME LIKE '%:partition%'");
		cluster.aws.stopSqs();
		Thread.sleep(2000);
		cluster.aws.startSqsAgain();
		assertThat(waiting).as("partitions waiting on the queue when it went down").isNotEmpty();

		long job = cluster.awaitJobEnd(Duration.ofMinutes(4), true, manager, worker);
		assertThat(cluster.status(job)).as(cluster.describe()).isEqualTo("COMPLETED");
		assertThat(cluster.query("SELECT STATUS FROM BATCH_JOB_EXECUTION")).as("one execution, no restart")
			.containsExactly("COMPLETED");
		cluster.assertExactlyOneResultPerSample(job);
		assertThat(cluster.log("manager")).contains("its message was lost");
		cluster.await(Duration.ofSeconds(30), () -> cluster.log("manager").contains("ended COMPLETED"), manager);
	}

	@Test
	void aLongDynaliteOutageFailsTheJobInOneSentenceAndRestartCompletesIt() throws Exception {
		Process manager = cluster.manager("manager");
		Process worker = cluster.worker("worker");
		cluster.awaitStarted("manager", "worker");
		cluster.launch("long-outage");
		cluster.awaitProgress("worker");

		cluster.aws.stopDynamoDb(); // and left down until the job has failed
		long failed = cluster.awaitJobEnd(Duration.ofMinutes(4), true, manager, worker);
		assertThat(cluster.status(failed)).isEqualTo("FAILED");
		LocalCluster.Ran down = cluster.run("status", Long.toString(failed));
		assertThat(down.exit()).as("status needs DynamoDB for the counts").isEqualTo(2);
		assertThat(down.err().strip()).as("one sentence, no stack trace")
			.startsWith("trawl: DynamoDB at " + cluster.aws.dynamoDbEndpoint() + " could not be reached (")
			.doesNotContain("\n", "Exception", "\tat ");

		cluster.aws.startDynamoDbAgain();
		JsonNode status = LocalCluster.JSON.readTree(cluster.cli("status", Long.toString(failed), "--json"));
		String reason = status.get("exitDescription").asString();
		assertThat(reason).as("one sentence naming the service, no stack trace")
			.startsWith("DynamoDB at " + cluster.aws.dynamoDbEndpoint() + " could not be reached (")
			.contains("Connection refused")
			.doesNotContain("\n", "Exception", "\tat ");
		cluster.await(Duration.ofSeconds(30), () -> cluster.log("manager").contains("ended FAILED"), manager);
		assertThat(cluster.log("manager")).contains("ended FAILED").contains(reason);

		String restart = cluster.cli(Duration.ofMinutes(4), "restart", Long.toString(failed));
		JsonNode summary = LocalCluster.JSON.readTree(restart.lines().reduce((a, b) -> b).orElseThrow());
		assertThat(summary.get("status").asString()).isEqualTo("COMPLETED");
		long restarted = summary.get("jobExecutionId").asLong();
		assertThat(restarted).isGreaterThan(failed);
		assertThat(cluster.query("SELECT JOB_INSTANCE_ID FROM BATCH_JOB_INSTANCE")).as("one job").hasSize(1);
		cluster.assertExactlyOneResultPerSample(restarted);
	}
}
