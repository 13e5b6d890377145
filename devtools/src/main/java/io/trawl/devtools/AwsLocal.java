package io.trawl.devtools;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import io.trawl.readmodel.dynamodb.DynamoDbTableNames;
import io.trawl.readmodel.dynamodb.DynamoDbTables;
import io.trawl.readmodel.dynamodb.Dynalite;
import io.trawl.worker.source.s3.S3ClientSettings;

/**
 * {@code trawl aws-local}: the aws profile's services on this machine, on loopback, for development and tests (not in
 * {@code trawl.jar}). S3Proxy (S3) and ElasticMQ (SQS) run embedded; dynalite (DynamoDB) runs under node from the
 * repository's {@code node_modules} ({@code npm ci}).
 * It creates the bucket {@value #BUCKET}, the queue {@value #LAUNCH_QUEUE} with its DLQ {@value #LAUNCH_DLQ}
 * (redrive after {@value #MAX_RECEIVE_COUNT} receives), the partitions queue {@value #PARTITION_QUEUE} with its DLQ
 * {@value #PARTITION_DLQ} (redrive after {@value #PARTITION_MAX_RECEIVE_COUNT}) and the tables, and writes
 * {@code data/aws-local.env}.
 * <p>
 * With a data folder, S3 objects and DynamoDB items are kept under {@code aws-local/} and survive a restart; the
 * queues are in memory. Without one (the tests), everything is transient.
 */
public final class AwsLocal implements AutoCloseable {

	public static final String BUCKET = "trawl-samples";
	public static final String LAUNCH_QUEUE = "trawl-launch";
	public static final String LAUNCH_DLQ = "trawl-launch-dlq";
	public static final String PARTITION_QUEUE = "trawl-partitions";
	public static final String PARTITION_DLQ = "trawl-partitions-dlq";
	/** Above the workers' {@code trawl.partitions.max-deliveries} (3), so a worker marks a doomed partition FAILED. */
	public static final int PARTITION_MAX_RECEIVE_COUNT = 5;
	public static final int MAX_RECEIVE_COUNT = 3;
	public static final String ACCESS_KEY = "trawl-local";
	public static final String SECRET_KEY = "trawl-local-secret";
	public static final String REGION = "us-east-1";
	static final String DYNALITE = "node_modules/dynalite/cli.js";

	/**
	 * @param dataDir where S3 objects and DynamoDB items are kept; null keeps everything in memory
	 * @param s3Port 0 for any free port, as for the others
	 * @param searchFrom where to look for {@value #DYNALITE}, this folder and its parents
	 */
	public record Settings(Path dataDir, int s3Port, int sqsPort, int dynamoDbPort, List<Path> searchFrom) {

		/** The fixed ports of {@code trawl aws-local}, so a sourced env file stays valid across restarts. */
		public static Settings persistent(Path dataDir) {
			return new Settings(dataDir, port("TRAWL_AWS_LOCAL_S3_PORT", 4568), port("TRAWL_AWS_LOCAL_SQS_PORT", 9324),
					port("TRAWL_AWS_LOCAL_DYNAMODB_PORT", 4567),
					List.of(dataDir.toAbsolutePath(), Path.of("").toAbsolutePath()));
		}

		/** In memory, on free ports: for tests. */
		public static Settings transientOnFreePorts() {
			return new Settings(null, 0, 0, 0, List.of(Path.of("").toAbsolutePath()));
		}

		/** Kept in {@code dataDir}, on free ports: for tests that restart an emulator and expect its data back. */
		public static Settings keptOnFreePorts(Path dataDir) {
			return new Settings(dataDir, 0, 0, 0, List.of(Path.of("").toAbsolutePath()));
		}

		private static int port(String variable, int fallback) {
			String value = System.getenv(variable);
			return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
		}
	}

	private final List<AutoCloseable> running = new ArrayList<>();
	private Settings settings;
	private SQSRestServer sqsServer;
	private Dynalite dynalite;
	private URI s3Endpoint;
	private URI sqsEndpoint;
	private URI dynamoDbEndpoint;
	private String launchQueueUrl;
	private String launchDlqUrl;
	private String partitionQueueUrl;
	private String partitionDlqUrl;

	private AwsLocal() {
	}

	/** Starts the three emulators and creates the bucket, queues and tables. */
	public static AwsLocal start(Settings settings) {
		AwsLocal local = new AwsLocal();
		local.settings = settings;
		try {
			local.startS3(settings);
			local.startSqs(settings);
			local.startDynamoDb(settings);
			local.createResources();
			return local;
		}
		catch (RuntimeException e) {
			local.close();
			throw e;
		}
	}

	/** {@code ./trawl aws-local}, which runs this module's jar with the data folder in {@code TRAWL_DATA_DIR}. */
	public static void main(String[] args) {
		// not a logback.xml, which would also take over the logging of the jobs tests that use this module
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "io/trawl/devtools/aws-local-logback.xml");
		}
		int status = run(Path.of(System.getenv().getOrDefault("TRAWL_DATA_DIR", "./data")), System.out, System.err);
		if (status != 0) {
			System.exit(status);
		}
	}

	/** The CLI command: starts everything, writes and prints the env file, and runs until the process is stopped. */
	public static int run(Path dataDir, PrintStream out, PrintStream err) {
		AwsLocal local;
		try {
			local = start(Settings.persistent(dataDir));
		}
		catch (RuntimeException e) {
			err.println("trawl: aws-local could not start: " + e.getMessage());
			return 2;
		}
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			local.close();
			stopped.countDown();
		}, "aws-local-shutdown"));
		Path envFile = dataDir.resolve("aws-local.env");
		local.writeEnvFile(envFile);
		out.println("# S3 (S3Proxy), SQS (ElasticMQ) and DynamoDB (dynalite) run on loopback. Written to " + envFile
				+ ":");
		out.print(local.envFileText());
		out.println("# In another shell:  source " + envFile + " && SPRING_PROFILES_ACTIVE=aws ./trawl serve");
		out.println("# A cluster (a PostgreSQL job repository in SPRING_DATASOURCE_URL): SPRING_PROFILES_ACTIVE=aws ./trawl "
				+ "serve --role manager, and ./trawl worker in other shells (docs/aws-local.md).");
		out.println("# Stop with Ctrl-C.");
		out.flush();
		try {
			stopped.await();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		return 0;
	}

	/** What {@code data/aws-local.env} exports, in order. */
	public Map<String, String> environment() {
		Map<String, String> env = new LinkedHashMap<>();
		env.put("AWS_ENDPOINT_URL_S3", s3Endpoint.toString());
		env.put("AWS_ENDPOINT_URL_SQS", sqsEndpoint.toString());
		env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDbEndpoint.toString());
		env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
		env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
		env.put("AWS_REGION", REGION);
		env.put("AWS_DEFAULT_REGION", REGION); // the region variable of AWS CLI v1
		env.put("TRAWL_BUCKET", BUCKET);
		env.put("TRAWL_LAUNCH_QUEUE_URL", launchQueueUrl);
		env.put("TRAWL_LAUNCH_DLQ_URL", launchDlqUrl);
		env.put("TRAWL_PARTITION_QUEUE_URL", partitionQueueUrl); // remote partitioning: a manager and workers
		env.put("TRAWL_PARTITION_DLQ_URL", partitionDlqUrl);
		env.put("TRAWL_SOURCES_ALLOWED", "s3://" + BUCKET + "/"); // what launch messages and the API may name
		env.put("TRAWL_METRICS_NAMESPACE", ""); // no CloudWatch here: metrics off, rather than sent to AWS itself
		return env;
	}

	/** The environment as {@code export NAME='value'} lines. */
	public String envFileText() {
		StringBuilder text = new StringBuilder();
		environment().forEach((name, value) -> text.append("export ").append(name).append("='")
			.append(value.replace("'", "'\\''")).append("'\n"));
		return text.toString();
	}

	public void writeEnvFile(Path file) {
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "aws-local", ".env");
			Files.writeString(temp, "# Written by trawl aws-local; source it: . " + file + "\n" + envFileText());
			Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot write " + file, e);
		}
	}

	public URI s3Endpoint() {
		return s3Endpoint;
	}

	public URI sqsEndpoint() {
		return sqsEndpoint;
	}

	public URI dynamoDbEndpoint() {
		return dynamoDbEndpoint;
	}

	public String launchQueueUrl() {
		return launchQueueUrl;
	}

	public String launchDlqUrl() {
		return launchDlqUrl;
	}

	public String partitionQueueUrl() {
		return partitionQueueUrl;
	}

	public String partitionDlqUrl() {
		return partitionDlqUrl;
	}

	/** A client for the local S3, which the caller closes. */
	public S3Client s3() {
		return new S3ClientSettings(REGION, s3Endpoint, true, 3).builder().credentialsProvider(credentials()).build();
	}

	/** A client for the local SQS, which the caller closes. */
	public SqsClient sqs() {
		return SqsClient.builder().region(Region.of(REGION)).endpointOverride(sqsEndpoint)
			.credentialsProvider(credentials()).build();
	}

	/** A client for the local DynamoDB, which the caller closes. */
	public DynamoDbClient dynamoDb() {
		return DynamoDbClient.builder().region(Region.of(REGION)).endpointOverride(dynamoDbEndpoint)
			.credentialsProvider(credentials()).build();
	}

	private static StaticCredentialsProvider credentials() {
		return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
	}

	private void startS3(Settings settings) {
		Properties properties = new Properties();
		String store = "transient";
		if (settings.dataDir() != null) {
			Path folder = createFolder(settings.dataDir().resolve("aws-local/s3"));
			properties.setProperty("jclouds.filesystem.basedir", folder.toString());
			store = "filesystem";
		}
		try {
			S3Proxy proxy = S3Proxy.builder()
				.blobStore(BlobStores.create(store, properties))
				.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
				.endpoint(URI.create("http://127.0.0.1:" + settings.s3Port()))
				.build();
			proxy.start();
			running.add(proxy::stop);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!"STARTED".equals(proxy.getState())) {
				if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
					throw new IllegalStateException("S3Proxy did not start on port " + settings.s3Port()
							+ " (state " + proxy.getState() + "); is the port taken?");
				}
				Thread.sleep(10);
			}
			s3Endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
		}
		catch (IllegalStateException e) {
			throw e;
		}
		catch (Exception e) {
			throw new IllegalStateException("S3Proxy could not start on port " + settings.s3Port() + ": "
					+ e.getMessage() + "; free the port or set TRAWL_AWS_LOCAL_S3_PORT.", e);
		}
	}

	private void startSqs(Settings settings) {
		int port = startSqs(settings.sqsPort());
		running.add(() -> sqsServer.stopAndWait());
		sqsEndpoint = URI.create("http://127.0.0.1:" + port);
	}

	private int startSqs(int wanted) {
		try {
			var builder = wanted == 0 ? SQSRestServerBuilder.withDynamicPort() : SQSRestServerBuilder.withPort(wanted);
			if (wanted != 0) {
				builder = builder.withServerAddress(new NodeAddress("http", "127.0.0.1", wanted, ""));
			}
			sqsServer = builder.withInterface("127.0.0.1").withAWSRegion(REGION).start();
			return sqsServer.waitUntilStarted().localAddress().getPort();
		}
		catch (RuntimeException e) {
			throw new IllegalStateException("ElasticMQ could not start on port " + wanted + ": "
					+ e.getMessage() + "; free the port or set TRAWL_AWS_LOCAL_SQS_PORT.", e);
		}
	}

	/**
	 * Stops ElasticMQ, as a crash would: the queues and every message on them, in flight or not, are gone (they are in
	 * memory). {@link #startSqsAgain()} brings it back.
	 */
	public void stopSqs() {
		sqsServer.stopAndWait();
	}

	/** Starts ElasticMQ again on its port and creates the queues again, at the same URLs and empty. */
	public void startSqsAgain() {
		startSqs(sqsEndpoint.getPort());
		try (SqsClient sqs = sqs()) {
			createQueues(sqs);
		}
	}

	/** Stops dynalite (SIGTERM, as {@code systemctl stop} or Ctrl-C would); its tables stay in the data folder. */
	public void stopDynamoDb() {
		dynalite.close();
	}

	/** Starts dynalite again on its port, on the same data folder: what was written before it stopped is there. */
	public void startDynamoDbAgain() {
		dynalite = Dynalite.start(dynaliteRoot(settings), dynamoDbEndpoint.getPort(), dynamoDbData(settings));
	}

	private void startDynamoDb(Settings settings) {
		try {
			dynalite = Dynalite.start(dynaliteRoot(settings), settings.dynamoDbPort(), dynamoDbData(settings));
		}
		catch (IllegalStateException e) {
			throw new IllegalStateException(e.getMessage() + " Free the port or set TRAWL_AWS_LOCAL_DYNAMODB_PORT.", e);
		}
		running.add(() -> dynalite.close());
		dynamoDbEndpoint = dynalite.endpoint();
	}

	private static Path dynaliteRoot(Settings settings) {
		return settings.searchFrom().stream().map(Dynalite::findRoot).flatMap(Optional::stream).findFirst()
			.orElseThrow(() -> new IllegalStateException("dynalite was not found: no folder from "
					+ settings.searchFrom() + " upwards holds " + DYNALITE
					+ ". Run `npm ci` in the Trawl folder (it installs dynalite from package.json)."));
	}

	private static Path dynamoDbData(Settings settings) {
		return settings.dataDir() == null ? null : createFolder(settings.dataDir().resolve("aws-local/dynamodb"));
	}

	private void createResources() {
		try (S3Client s3 = s3(); SqsClient sqs = sqs(); DynamoDbClient dynamoDb = dynamoDb()) {
			try {
				s3.createBucket(b -> b.bucket(BUCKET));
			}
			catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException kept) {
				// kept from an earlier run
			}
			createQueues(sqs);
			DynamoDbTables.createIfMissing(dynamoDb, DynamoDbTableNames.defaults());
		}
	}

	private void createQueues(SqsClient sqs) {
		launchDlqUrl = deadLetterQueue(sqs, LAUNCH_DLQ);
		launchQueueUrl = queue(sqs, LAUNCH_QUEUE, "30", launchDlqUrl, MAX_RECEIVE_COUNT);
		partitionDlqUrl = deadLetterQueue(sqs, PARTITION_DLQ);
		// the workers set their own visibility timeout on each receive (trawl.partitions.visibility-timeout)
		partitionQueueUrl = queue(sqs, PARTITION_QUEUE, "300", partitionDlqUrl, PARTITION_MAX_RECEIVE_COUNT);
	}

	private static String deadLetterQueue(SqsClient sqs, String name) {
		return sqs.createQueue(b -> b.queueName(name)
			.attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
	}

	/** A queue whose messages go to {@code dlqUrl} after {@code maxReceiveCount} receives. */
	private static String queue(SqsClient sqs, String name, String visibilitySeconds, String dlqUrl,
			int maxReceiveCount) {
		String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
			.attributes().get(QueueAttributeName.QUEUE_ARN);
		return sqs.createQueue(b -> b.queueName(name)
			.attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, visibilitySeconds, QueueAttributeName.REDRIVE_POLICY,
					"{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}")))
			.queueUrl();
	}

	/** Stops whatever started, newest first. */
	@Override
	public void close() {
		for (int i = running.size() - 1; i >= 0; i--) {
			try {
				running.get(i).close();
			}
			catch (Exception e) {
				// stopping anyway; nothing useful to do with the failure
			}
		}
		running.clear();
	}

	private static Path createFolder(Path folder) {
		try {
			return Files.createDirectories(folder.toAbsolutePath().normalize());
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot create " + folder, e);
		}
	}

}
