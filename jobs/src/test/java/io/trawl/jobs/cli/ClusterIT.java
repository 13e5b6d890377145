package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.devtools.AwsLocal;
import io.trawl.readmodel.jdbc.JdbcDatabases;

/**
 * A one-machine cluster as docs/aws-local.md runs it, each process a separate JVM through {@code ./trawl}: the
 * emulators of {@code trawl aws-local} (S3Proxy, ElasticMQ, dynalite), a PostgreSQL job repository (a schema of its
 * own in the test database), {@code trawl serve --role manager} and two {@code trawl worker}s, a launch message on
 * the launch queue. Every partition takes a few seconds ({@link SlowAnalyzer}), so the tests can kill or stop a
 * process part-way; the partitions queue keeps its 5-minute visibility timeout, so a job that completes well before
 * that has not waited for SQS to give a lost partition back.
 */
class ClusterIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final int FILES = 160;
	private static final int PARTITIONS = 8;
	private static final Duration TAKEOVER_WITHIN = Duration.ofSeconds(60);

	@TempDir
	Path workspace;

	private AwsLocal aws;
	private int slowMillis = 400;
	private Path hold;
	private String schema;
	private String prefix;
	private Set<String> sha256s;
	private final Map<String, Process> processes = new java.util.LinkedHashMap<>();

	@BeforeEach
	void givenTheEmulatorsAPostgresSchemaAndACorpusInS3() throws Exception {
		aws = AwsLocal.start(AwsLocal.Settings.transientOnFreePorts());
		schema = "cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		try (Connection db = database(null)) {
			db.createStatement().execute("CREATE SCHEMA " + schema);
		}
		prefix = "cluster-" + schema + "/";
		hold = workspace.resolve("hold");
		sha256s = new HashSet<>();
		Random random = new Random(15);
		MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
		try (S3Client s3 = aws.s3()) {
			for (int i = 0; i < FILES; i++) {
				byte[] content = new byte[2048 + random.nextInt(8192)];
				random.nextBytes(content);
				sha256s.add(HexFormat.of().formatHex(sha256.digest(content)));
				String key = prefix + String.format("d%d/s-%03d.bin", i % 5, i);
				s3.putObject(b -> b.bucket(AwsLocal.BUCKET).key(key), RequestBody.fromBytes(content));
			}
		}
	}

	@AfterEach
	void stopEverything() throws Exception {
		for (Process process : processes.values()) {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
			process.waitFor(30, TimeUnit.SECONDS);
		}
		if (aws != null) {
			aws.close();
		}
		if (schema != null) {
			try (Connection db = database(null)) {
				db.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
			}
		}
	}

	@Test
	void aWorkerKilledPartWayHasItsPartitionTakenOverWithinAMinuteAndTheJobCompletes() throws Exception {
		Process manager = start("manager", "serve", "--role", "manager", "--server.port=0");
		Process first = start("first", "worker", "--trawl.partitions.worker-id=first");
		Process second = start("second", "worker", "--trawl.partitions.worker-id=second");
		awaitStarted("manager", "first", "second");
		launch("kill-worker");

		awaitProgress("first", first);
		assertThat(StatusWhileRescanIT.listeningTcp(second.pid())).as("a worker opens no TCP port").isEmpty();
		assertThat(StatusWhileRescanIT.listeningTcp(manager.pid())).as("the manager serves the API").hasSize(1);
		assertThat(log("second")).doesNotContain("launch messages").contains("Worker second receives partitions");
		first.destroyForcibly(); // kill -9: no shutdown hook, no hand-back, no more heartbeats
		LocalDateTime killed = LocalDateTime.now();
		assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
		Set<Long> held = running("first");
		assertThat(held).as("partitions the killed worker left STARTED").isNotEmpty();

		long job = awaitJobEnd(Duration.ofMinutes(4), manager, second);
		assertThat(status(job)).isEqualTo("COMPLETED");
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
		assertExactlyOneResultPerSample(job);
		assertThat(log("second")).contains("takes it over");
		assertThat(log("manager")).contains("has been silent for").contains("ended COMPLETED");
		assertThat(Files.list(workspace.resolve("data")).map(p -> p.getFileName().toString())
			.filter(name -> name.startsWith("trawl-") && name.endsWith(".log")))
			.as("a log file per process").contains("trawl-manager-" + manager.pid() + ".log",
					"trawl-worker-" + second.pid() + ".log");
	}

	@Test
	void aManagerKilledPartWayIsRestartedAndResumesItsJobWithoutStartingAnother() throws Exception {
		Process manager = start("manager", "serve", "--role", "manager", "--server.port=0");
		Process first = start("first", "worker", "--trawl.partitions.worker-id=first");
		Process second = start("second", "worker", "--trawl.partitions.worker-id=second");
		launch("kill-manager");

		awaitProgress("first", first);
		Files.writeString(hold, "held"); // the workers keep their partitions running until the new manager waits
		manager.destroyForcibly();
		assertThat(manager.waitFor(30, TimeUnit.SECONDS)).isTrue();
		Process restarted = start("manager-again", "serve", "--role", "manager", "--server.port=0");
		awaitStarted("manager-again");
		await(Duration.ofMinutes(2), () -> log("manager-again").contains("partitions to the workers"), restarted);
		assertThat(log("manager-again")).as("partitions left to do when the manager came back")
			.doesNotContain("sent 0 partitions");
		Files.delete(hold);

		long job = awaitJobEnd(Duration.ofMinutes(4), restarted, first, second);
		assertThat(status(job)).isEqualTo("COMPLETED");
		List<String> executions = query("SELECT STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID");
		assertThat(executions).as("the killed manager's execution, recovered, then the resumed one")
			.containsExactly("FAILED", "COMPLETED");
		assertThat(query("SELECT JOB_INSTANCE_ID FROM BATCH_JOB_INSTANCE")).as("one job").hasSize(1);
		assertExactlyOneResultPerSample(job);
		assertThat(log("manager-again")).contains("resuming it").contains("ended COMPLETED");
	}

	@Test
	void aWorkerStoppedWithSigtermHandsItsPartitionsBackAndAnotherFinishesThemAtOnce() throws Exception {
		Process manager = start("manager", "serve", "--role", "manager", "--server.port=0");
		Process first = start("first", "worker", "--trawl.partitions.worker-id=first");
		Process second = start("second", "worker", "--trawl.partitions.worker-id=second");
		awaitStarted("manager", "first", "second");
		launch("sigterm-worker");

		awaitProgress("first", first);
		first.destroy(); // SIGTERM
		LocalDateTime stopped = LocalDateTime.now();
		assertThat(first.waitFor(90, TimeUnit.SECONDS)).as("the worker stops after its current chunks").isTrue();

		long job = awaitJobEnd(Duration.ofMinutes(3), manager, second);
		assertThat(status(job)).isEqualTo("COMPLETED");
		Map<Long, Partition> partitions = partitions();
		assertThat(partitions.values()).allSatisfy(p -> assertThat(p.status()).isEqualTo("COMPLETED"));
		List<Partition> handedBack = partitions.values().stream().filter(p -> p.attempts() >= 2).toList();
		assertThat(handedBack).as("partitions the stopped worker handed back").isNotEmpty().allSatisfy(p -> {
			assertThat(p.worker()).isEqualTo("second");
			// well within the 5-minute visibility timeout: the message was made visible at once
			assertThat(Duration.between(stopped, p.started())).isPositive().isLessThan(Duration.ofSeconds(45));
		});
		assertThat(log("first")).contains("handed back");
		assertExactlyOneResultPerSample(job);
	}

	/** Waits until one of the worker's partitions has committed a chunk. */
	private void awaitProgress(String worker, Process process) throws Exception {
		await(Duration.ofMinutes(3), () -> !query("SELECT h.STEP_EXECUTION_ID FROM TRAWL_PARTITION_HEARTBEAT h JOIN "
				+ "BATCH_STEP_EXECUTION s ON s.STEP_EXECUTION_ID = h.STEP_EXECUTION_ID WHERE h.WORKER = '" + worker
				+ "' AND s.STATUS = 'STARTED' AND s.WRITE_COUNT > 0").isEmpty(), process);
	}

	private Set<Long> running(String worker) {
		return query("SELECT h.STEP_EXECUTION_ID FROM TRAWL_PARTITION_HEARTBEAT h JOIN BATCH_STEP_EXECUTION s "
				+ "ON s.STEP_EXECUTION_ID = h.STEP_EXECUTION_ID WHERE h.WORKER = '" + worker + "' AND s.STATUS = 'STARTED'")
			.stream().map(Long::valueOf).collect(Collectors.toSet());
	}

	/** Waits for the only job to have an execution that ended, and returns that execution's id. */
	private long awaitJobEnd(Duration within, Process... alive) throws Exception {
		await(within, () -> !query("SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE END_TIME IS NOT NULL AND "
				+ "STATUS <> 'FAILED'").isEmpty(), alive);
		return Long.parseLong(query("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION").get(0));
	}

	private String status(long job) throws SQLException {
		return query("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = " + job).get(0);
	}

	private void assertExactlyOneResultPerSample(long job) throws Exception {
		JsonNode status = JSON.readTree(cli("status", Long.toString(job), "--json"));
		assertThat(status.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(status.get("samples").asLong()).isEqualTo(FILES);
		assertThat(status.get("resultEvents").asLong()).as("one result event per sample").isEqualTo(FILES);
		List<String> lines = cli("results", "--job", Long.toString(job)).lines().filter(l -> !l.isBlank()).toList();
		assertThat(lines).hasSize(FILES);
		assertThat(lines.stream().map(l -> JSON.readTree(l).get("sha256").asString()).collect(Collectors.toSet()))
			.isEqualTo(sha256s);
	}

	private record Partition(String status, String worker, int attempts, LocalDateTime started) {
	}

	private Map<Long, Partition> partitions() throws SQLException {
		Map<Long, Partition> partitions = new HashMap<>();
		try (Connection db = database(schema); PreparedStatement select = db.prepareStatement("SELECT "
				+ "s.STEP_EXECUTION_ID, s.STATUS, h.WORKER, h.ATTEMPTS, s.START_TIME FROM BATCH_STEP_EXECUTION s JOIN "
				+ "TRAWL_PARTITION_HEARTBEAT h ON h.STEP_EXECUTION_ID = s.STEP_EXECUTION_ID WHERE s.STEP_NAME LIKE "
				+ "'%:partition%'"); ResultSet rows = select.executeQuery()) {
			while (rows.next()) {
				partitions.put(rows.getLong(1), new Partition(rows.getString(2), rows.getString(3), rows.getInt(4),
						rows.getTimestamp(5).toLocalDateTime()));
			}
		}
		return partitions;
	}

	private void launch(String requestId) {
		try (SqsClient sqs = aws.sqs()) {
			sqs.sendMessage(b -> b.queueUrl(aws.launchQueueUrl()).messageBody("{\"version\":1,\"type\":\"scan\","
					+ "\"requestId\":\"" + requestId + "\",\"source\":\"s3://" + AwsLocal.BUCKET + "/" + prefix + "\"}"));
		}
	}

	/** One {@code ./trawl} command of the cluster's, run to its end; returns its stdout. */
	private String cli(String... args) throws Exception {
		String name = "cli-" + UUID.randomUUID().toString().substring(0, 8);
		Process process = environment(Launches.trawl(workspace.resolve("data"), args))
			.redirectError(workspace.resolve(name + ".err").toFile())
			.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as(Launches.read(workspace.resolve(name + ".err"))).isZero();
		return out;
	}

	private Process start(String name, String... args) throws Exception {
		Process process = environment(Launches.trawl(workspace.resolve("data"), args))
			.redirectOutput(workspace.resolve(name + ".out").toFile())
			.redirectError(workspace.resolve(name + ".err").toFile())
			.start();
		processes.put(name, process);
		return process;
	}

	/** Waits until these processes have started (minutes on a busy machine), before anything is timed. */
	private void awaitStarted(String... names) throws Exception {
		for (String name : names) {
			await(Duration.ofMinutes(5), () -> log(name).contains("Started TrawlCli"), processes.get(name));
		}
	}

	/** Everything a cluster process reads, as a user's shell has it after {@code source data/aws-local.env}. */
	private ProcessBuilder environment(ProcessBuilder trawl) {
		Launches.withTestAnalyzer(trawl, SlowAnalyzer.class);
		Map<String, String> env = trawl.environment();
		env.putAll(aws.environment());
		env.put("SPRING_PROFILES_ACTIVE", "aws");
		env.put("SPRING_DATASOURCE_URL", JdbcDatabases.POSTGRES_URL
				+ (JdbcDatabases.POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema);
		env.put("SPRING_DATASOURCE_USERNAME", JdbcDatabases.POSTGRES_USER);
		env.put("SPRING_DATASOURCE_PASSWORD", JdbcDatabases.POSTGRES_PASSWORD);
		env.put("TRAWL_GRID_SIZE", Integer.toString(PARTITIONS));
		env.put("TRAWL_THREADS", "2");
		env.put("TRAWL_TEST_SLOW_MS", Integer.toString(slowMillis));
		env.put("TRAWL_TEST_HOLD", hold.toString());
		env.put("TRAWL_ISOLATE_NATIVE_CODE", "false"); // no native host JVMs: three JVMs are enough for the machine
		env.put("TRAWL_NO_BUILD", "1");
		env.put("TRAWL_JAVA_OPTS", "-Xmx512m -Dtrawl.analysis.chunk-size=2 -Dtrawl.partitions.poll-interval=500ms "
				+ "-Dtrawl.partitions.wait-time=1s -Dtrawl.aws.launch.wait-time=1s");
		return trawl;
	}

	/** What a process printed, and its own log file ({@code data/trawl-<role>-<pid>.log}). */
	private String log(String name) {
		StringBuilder text = new StringBuilder(Launches.read(workspace.resolve(name + ".out")))
			.append(Launches.read(workspace.resolve(name + ".err")));
		long pid = processes.get(name).pid();
		try (Stream<Path> files = Files.list(workspace.resolve("data"))) {
			files.filter(f -> f.getFileName().toString().matches("trawl-[a-z]+-" + pid + "\\.log"))
				.forEach(f -> text.append(Launches.read(f)));
		}
		catch (java.io.IOException e) {
			// no data folder yet
		}
		return text.toString();
	}

	private void await(Duration within, BooleanSupplier condition, Process... alive) throws Exception {
		long deadline = System.nanoTime() + within.toNanos();
		while (!condition.getAsBoolean()) {
			for (Process process : alive) {
				assertThat(process.isAlive()).as("a cluster process died: %s", describe()).isTrue();
			}
			assertThat(System.nanoTime()).as("within %s: %s", within, describe()).isLessThan(deadline);
			Thread.sleep(250);
		}
	}

	private String describe() {
		try (Stream<Path> files = Files.list(workspace)) {
			return files.filter(f -> f.toString().endsWith(".err")).map(f -> f.getFileName() + ":\n" + tail(f))
				.collect(Collectors.joining("\n"));
		}
		catch (Exception e) {
			return e.toString();
		}
	}

	private static String tail(Path file) {
		String text = Launches.read(file);
		return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
	}

	private List<String> query(String sql) {
		try (Connection db = database(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
			List<String> values = new ArrayList<>();
			while (rows.next()) {
				values.add(rows.getString(1));
			}
			return values;
		}
		catch (SQLException e) {
			// the tables appear when the manager has started
			if (e.getMessage().contains("does not exist")) {
				return List.of();
			}
			throw new IllegalStateException(e);
		}
	}

	private static Connection database(String schema) throws SQLException {
		Connection db = DriverManager.getConnection(JdbcDatabases.POSTGRES_URL, JdbcDatabases.POSTGRES_USER,
				JdbcDatabases.POSTGRES_PASSWORD);
		if (schema != null) {
			db.setSchema(schema);
		}
		return db;
	}
}
