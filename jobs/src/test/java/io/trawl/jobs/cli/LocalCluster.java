package io.trawl.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.devtools.AwsLocal;
import io.trawl.readmodel.jdbc.JdbcDatabases;

/**
 * A one-machine cluster as docs/aws-local.md runs it, for the tests that start its processes as separate JVMs through
 * {@code ./trawl}: the emulators of {@code trawl aws-local}, a PostgreSQL job repository (a schema of its own in the
 * test database), a corpus of random files in S3, and the processes the test starts ({@code serve --role manager},
 * {@code worker}, one-shot commands), all with the environment a user's shell has after {@code source
 * data/aws-local.env}. Every sample takes {@code slowMillis} ({@link SlowAnalyzer}), so a test can act part-way.
 */
final class LocalCluster implements AutoCloseable {

	static final JsonMapper JSON = JsonMapper.builder().build();

	final Path workspace;
	final AwsLocal aws;
	final String schema;
	final String prefix;
	final Set<String> sha256s = new HashSet<>();
	final Path hold;
	private final int files;
	private final int partitions;
	private final int slowMillis;
	private final Map<String, Process> processes = new LinkedHashMap<>();

	/**
	 * @param emulators transient, or kept in a folder (for a test that restarts dynalite and expects its tables back)
	 */
	LocalCluster(Path workspace, AwsLocal.Settings emulators, int files, int partitions, int slowMillis)
			throws Exception {
		this.workspace = workspace;
		this.files = files;
		this.partitions = partitions;
		this.slowMillis = slowMillis;
		this.hold = workspace.resolve("hold");
		this.aws = AwsLocal.start(emulators);
		this.schema = "cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		try (Connection db = database(null)) {
			db.createStatement().execute("CREATE SCHEMA " + schema);
		}
		this.prefix = "cluster-" + schema + "/";
		Random random = new Random(15);
		MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
		try (S3Client s3 = aws.s3()) {
			for (int i = 0; i < files; i++) {
				byte[] content = new byte[2048 + random.nextInt(8192)];
				random.nextBytes(content);
				sha256s.add(HexFormat.of().formatHex(sha256.digest(content)));
				String key = prefix + String.format("d%d/s-%03d.bin", i % 5, i);
				s3.putObject(b -> b.bucket(AwsLocal.BUCKET).key(key), RequestBody.fromBytes(content));
			}
		}
	}

	@Override
	public void close() throws Exception {
		for (Process process : processes.values()) {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
			process.waitFor(30, TimeUnit.SECONDS);
		}
		aws.close();
		keepLogs();
		try (Connection db = database(null)) {
			db.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
		}
	}

	/** Copies every process's output and log to {@code target/cluster-logs/<schema>/}, for a failure's diagnosis. */
	private void keepLogs() throws IOException {
		Path kept = Files.createDirectories(Path.of("target/cluster-logs", schema));
		try (Stream<Path> outputs = Stream.concat(Files.list(workspace), Files.exists(workspace.resolve("data"))
				? Files.list(workspace.resolve("data")) : Stream.empty())) {
			for (Path file : (Iterable<Path>) outputs::iterator) {
				String name = file.getFileName().toString();
				if (name.endsWith(".out") || name.endsWith(".err") || name.endsWith(".log")) {
					Files.copy(file, kept.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
	}

	Process manager(String name) throws Exception {
		return start(name, "serve", "--role", "manager", "--server.port=0");
	}

	Process worker(String name) throws Exception {
		return start(name, "worker", "--trawl.partitions.worker-id=" + name);
	}

	/** A launch message for the corpus on the launch queue. */
	void launch(String requestId) {
		try (SqsClient sqs = aws.sqs()) {
			sqs.sendMessage(b -> b.queueUrl(aws.launchQueueUrl()).messageBody("{\"version\":1,\"type\":\"scan\","
					+ "\"requestId\":\"" + requestId + "\",\"source\":\"s3://" + AwsLocal.BUCKET + "/" + prefix + "\"}"));
		}
	}

	/** One {@code ./trawl} command of the cluster's, run to its end with exit 0; returns its stdout. */
	String cli(String... args) throws Exception {
		return cli(Duration.ofMinutes(2), args);
	}

	String cli(Duration within, String... args) throws Exception {
		String name = "cli-" + UUID.randomUUID().toString().substring(0, 8);
		Process process = environment(Launches.trawl(workspace.resolve("data"), args))
			.redirectError(workspace.resolve(name + ".err").toFile())
			.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(within.toSeconds(), TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(Launches.read(workspace.resolve(name + ".err"))).isZero();
		return out;
	}

	/** A finished {@code ./trawl} command: its exit status, stdout and stderr. */
	record Ran(int exit, String out, String err) {
	}

	/** One {@code ./trawl} command run to its end, whatever its exit status. */
	Ran run(String... args) throws Exception {
		String name = "cli-" + UUID.randomUUID().toString().substring(0, 8);
		Process process = environment(Launches.trawl(workspace.resolve("data"), args))
			.redirectError(workspace.resolve(name + ".err").toFile())
			.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		return new Ran(process.exitValue(), out, Launches.read(workspace.resolve(name + ".err")));
	}

	Process start(String name, String... args) throws Exception {
		Process process = environment(Launches.trawl(workspace.resolve("data"), args))
			.redirectOutput(workspace.resolve(name + ".out").toFile())
			.redirectError(workspace.resolve(name + ".err").toFile())
			.start();
		processes.put(name, process);
		return process;
	}

	Process process(String name) {
		return processes.get(name);
	}

	/** Waits until these processes have started (minutes on a busy machine), before anything is timed. */
	void awaitStarted(String... names) throws Exception {
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
		env.put("TRAWL_GRID_SIZE", Integer.toString(partitions));
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
	String log(String name) {
		StringBuilder text = new StringBuilder(Launches.read(workspace.resolve(name + ".out")))
			.append(Launches.read(workspace.resolve(name + ".err")));
		long pid = processes.get(name).pid();
		try (Stream<Path> logs = Files.list(workspace.resolve("data"))) {
			logs.filter(f -> f.getFileName().toString().matches("trawl-[a-z]+-" + pid + "\\.log"))
				.forEach(f -> text.append(Launches.read(f)));
		}
		catch (IOException e) {
			// no data folder yet
		}
		return text.toString();
	}

	/** Waits until one of the worker's partitions has committed a chunk. */
	void awaitProgress(String worker) throws Exception {
		await(Duration.ofMinutes(3), () -> !query("SELECT h.STEP_EXECUTION_ID FROM TRAWL_PARTITION_HEARTBEAT h JOIN "
				+ "BATCH_STEP_EXECUTION s ON s.STEP_EXECUTION_ID = h.STEP_EXECUTION_ID WHERE h.WORKER = '" + worker
				+ "' AND s.STATUS = 'STARTED' AND s.WRITE_COUNT > 0").isEmpty(), processes.get(worker));
	}

	/** The partitions of this worker that are STARTED in the job repository. */
	Set<Long> running(String worker) {
		return query("SELECT h.STEP_EXECUTION_ID FROM TRAWL_PARTITION_HEARTBEAT h JOIN BATCH_STEP_EXECUTION s "
				+ "ON s.STEP_EXECUTION_ID = h.STEP_EXECUTION_ID WHERE h.WORKER = '" + worker + "' AND s.STATUS = 'STARTED'")
			.stream().map(Long::valueOf).collect(Collectors.toSet());
	}

	/** Waits for the only job to have an execution that ended (FAILED too, with {@code failedToo}); returns its id. */
	long awaitJobEnd(Duration within, boolean failedToo, Process... alive) throws Exception {
		String ended = "SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE END_TIME IS NOT NULL"
				+ (failedToo ? "" : " AND STATUS <> 'FAILED'");
		await(within, () -> !query(ended).isEmpty(), alive);
		return Long.parseLong(query("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION").get(0));
	}

	String status(long job) {
		return query("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = " + job).get(0);
	}

	/** {@code status} and {@code results} of the job, through {@code ./trawl}: one result per sample of the corpus. */
	void assertExactlyOneResultPerSample(long job) throws Exception {
		JsonNode status = JSON.readTree(cli("status", Long.toString(job), "--json"));
		assertThat(status.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(status.get("samples").asLong()).isEqualTo(files);
		assertThat(status.get("resultEvents").asLong()).as("one result event per sample").isEqualTo(files);
		List<String> lines = cli("results", "--job", Long.toString(job)).lines().filter(l -> !l.isBlank()).toList();
		assertThat(lines).hasSize(files);
		assertThat(lines.stream().map(l -> JSON.readTree(l).get("sha256").asString()).collect(Collectors.toSet()))
			.isEqualTo(sha256s);
	}

	void await(Duration within, BooleanSupplier condition, Process... alive) throws Exception {
		long deadline = System.nanoTime() + within.toNanos();
		while (!condition.getAsBoolean()) {
			for (Process process : alive) {
				assertThat(process.isAlive()).as("a cluster process died: %s", describe()).isTrue();
			}
			assertThat(System.nanoTime()).as("within %s: %s", within, describe()).isLessThan(deadline);
			Thread.sleep(250);
		}
	}

	String describe() {
		try (Stream<Path> outputs = Files.list(workspace)) {
			return outputs.filter(f -> f.toString().endsWith(".err")).map(f -> f.getFileName() + ":\n" + tail(f))
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

	/** The first column of each row, from the cluster's schema; empty until the manager has created the tables. */
	List<String> query(String sql) {
		try (Connection db = database(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
			List<String> values = new ArrayList<>();
			while (rows.next()) {
				values.add(rows.getString(1));
			}
			return values;
		}
		catch (SQLException e) {
			if (e.getMessage().contains("does not exist")) {
				return List.of();
			}
			throw new IllegalStateException(e);
		}
	}

	static Connection database(String schema) throws SQLException {
		Connection db = DriverManager.getConnection(JdbcDatabases.POSTGRES_URL, JdbcDatabases.POSTGRES_USER,
				JdbcDatabases.POSTGRES_PASSWORD);
		if (schema != null) {
			db.setSchema(schema);
		}
		return db;
	}
}
