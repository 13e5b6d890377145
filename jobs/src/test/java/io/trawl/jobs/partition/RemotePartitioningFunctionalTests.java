package io.trawl.jobs.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.containment.PartitionRuns;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.jdbc.JdbcDatabases;
import io.trawl.readmodel.query.SampleView;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * Remote partitioning end to end in one JVM: a manager context and a separate worker context share a job repository
 * on the local PostgreSQL and a partitions queue on an embedded ElasticMQ. The manager sends the partitions, the
 * worker runs every one of them, and the results equal those of local partitioning.
 */
class RemotePartitioningFunctionalTests {

	static final String JDBC_URL = JdbcDatabases.POSTGRES_URL;
	static final String REGION = "us-east-1";

	@TempDir
	static Path workspace;
	static Path corpus;
	static Path rules;
	static int files;
	static SQSRestServer elasticMq;
	static SqsClient sqs;
	static String queueUrl;
	static String dlqUrl;
	static ConfigurableApplicationContext manager;
	static ConfigurableApplicationContext worker;
	static final String WORKER_ID = "test-worker-" + UUID.randomUUID();

	@BeforeAll
	static void givenAManagerAndAWorkerOnOneDatabaseAndQueue() throws Exception {
		requirePostgres();
		corpus = Files.createDirectories(workspace.resolve("corpus"));
		TestCorpus.writeTo(corpus.resolve("synthetic"));
		Files.write(corpus.resolve("eicar-again.txt"), TestCorpus.eicar());
		for (int i = 0; i < 12; i++) {
			Files.write(corpus.resolve("random-" + i + ".bin"), TestCorpus.randomBytes(4096 + 512 * i, i));
		}
		try (Stream<Path> walk = Files.walk(corpus)) {
			files = (int) walk.filter(Files::isRegularFile).count();
		}
		rules = workspace.resolve("rules.yar");
		Files.copy(Path.of("src/test/resources/test-rules.yar"), rules);

		// the SDK's default credentials chain reads these in the contexts' SqsClient
		System.setProperty("aws.accessKeyId", "trawl-test");
		System.setProperty("aws.secretAccessKey", "trawl-test-secret");
		elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
		int port = elasticMq.waitUntilStarted().localAddress().getPort();
		sqs = SqsClient.builder()
			.region(Region.of(REGION))
			.endpointOverride(java.net.URI.create("http://127.0.0.1:" + port))
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("trawl-test", "x")))
			.build();
		String suffix = UUID.randomUUID().toString().substring(0, 8);
		queueUrl = sqs.createQueue(b -> b.queueName("partitions-" + suffix)).queueUrl();
		dlqUrl = sqs.createQueue(b -> b.queueName("partitions-dlq-" + suffix)).queueUrl();

		manager = start("manager", "--trawl.role=manager", "--trawl.aws.endpoints.sqs=http://127.0.0.1:" + port);
		worker = start("worker", "--trawl.role=worker", "--trawl.aws.endpoints.sqs=http://127.0.0.1:" + port,
				"--trawl.partitions.worker-id=" + WORKER_ID, "--trawl.analysis.threads=3");
	}

	/** Starts the service with the shared settings; {@code --key=value} extras replace them rather than add to them. */
	static ConfigurableApplicationContext start(String name, String... extra) throws Exception {
		Path dataDir = Files.createDirectories(workspace.resolve(name));
		Map<String, String> arguments = new java.util.LinkedHashMap<>();
		for (String argument : List.of("--server.port=0", "--trawl.data-dir=" + dataDir,
				"--logging.file.name=" + dataDir.resolve("trawl.log"),
				"--spring.datasource.url=" + JDBC_URL, "--spring.datasource.username=" + JdbcDatabases.POSTGRES_USER,
				"--spring.datasource.password=" + JdbcDatabases.POSTGRES_PASSWORD,
				"--trawl.partitioning=remote", "--trawl.analysis.grid-size=5", "--trawl.analysis.chunk-size=4",
				"--trawl.aws.region=" + REGION,
				"--trawl.partitions.queue-url=" + queueUrl, "--trawl.partitions.dlq-url=" + dlqUrl,
				"--trawl.partitions.poll-interval=200ms", "--trawl.partitions.wait-time=1s",
				"--trawl.partitions.timeout=60s")) {
			arguments.put(argument.substring(0, argument.indexOf('=')), argument);
		}
		for (String argument : extra) {
			arguments.put(argument.substring(0, argument.indexOf('=')), argument);
		}
		return new SpringApplicationBuilder(TrawlApplication.class).web(WebApplicationType.SERVLET)
			.run(arguments.values().toArray(String[]::new));
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { worker, manager }) {
			if (context != null) {
				context.close();
			}
		}
		if (sqs != null) {
			sqs.close();
		}
		if (elasticMq != null) {
			elasticMq.stopAndWait();
		}
	}

	@Test
	void theWorkerRunsEveryPartitionAndTheResultsEqualLocalPartitioning() throws Exception {
		PartitionQueueListener listener = worker.getBean(PartitionQueueListener.class);
		long runBefore = listener.partitionsRun();

		JobExecution execution = manager.getBean(RescanLauncher.class)
			.run(new RescanLauncher.Request(corpus.toString(), rules.toString(), "remote-" + UUID.randomUUID(), null));

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		List<StepExecution> partitions = manager.getBean(JobStatusService.class).execution(execution.getId())
			.orElseThrow()
			.getStepExecutions()
			.stream()
			.filter(s -> s.getStepName().startsWith("analyseWorkerStep:"))
			.toList();
		assertThat(partitions).hasSizeBetween(2, 5);
		assertThat(partitions).allSatisfy(p -> {
			assertThat(p.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			assertThat(p.getExecutionContext().getString(PartitionQueueListener.WORKER)).isEqualTo(WORKER_ID);
		});
		assertThat(listener.partitionsRun() - runBefore).isEqualTo(partitions.size());
		assertThat(partitions.stream().mapToLong(StepExecution::getReadCount).sum()).isEqualTo(files);
		assertThat(manager.getBeanProvider(PartitionQueueListener.class).getIfAvailable()).isNull();

		JobStatus remote = manager.getBean(JobStatusService.class).get(execution.getId()).orElseThrow();
		assertThat(remote.files()).isEqualTo(files);
		assertThat(remote.resultEvents()).isEqualTo(remote.samples());
		Set<String> local = localRun();
		assertThat(sha256s(manager, execution.getId())).isEqualTo(local).hasSize((int) remote.samples());
		await().atMost(Duration.ofSeconds(15)).until(() -> depth(queueUrl) == 0);
	}

	@Test
	void aPartitionLeftStartedByAVanishedWorkerIsTakenOverWhenItsMessageReappears() throws Exception {
		PartitionQueueListener listener = worker.getBean(PartitionQueueListener.class);
		JobRepository repository = manager.getBean(JobRepository.class);
		listener.stop();
		CompletableFuture<JobExecution> launched;
		long taken;
		try {
			launched = launchInBackground("takeover-");
			// given a worker that received one partition, started it and vanished: its message reappears in 2 s
			taken = startedByVanishedWorker(receiveOne(2), true);
		}
		finally {
			listener.start();
		}

		JobExecution execution = launched.get(60, TimeUnit.SECONDS);

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		StepExecution takenOver = repository.getStepExecution(taken);
		assertThat(takenOver.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(takenOver.getExecutionContext().getString(PartitionQueueListener.WORKER)).isEqualTo(WORKER_ID);
		JobStatus status = manager.getBean(JobStatusService.class).get(execution.getId()).orElseThrow();
		assertThat(status.files()).isEqualTo(files);
		assertThat(status.resultEvents()).isEqualTo(status.samples());
		assertThat(takenOver.getExecutionContext().getInt(PartitionRuns.RUNS)).isEqualTo(2);
		assertThat(manager.getBean(EventStore.class).count(execution.getJobInstance().getInstanceId(),
				EventKind.ATTEMPT)).as("the takeover's first chunk was careful").isPositive();
		await().atMost(Duration.ofSeconds(15)).until(() -> depth(queueUrl) == 0);
	}

	@Test
	void aTakeoverWhoseMessageIsLostIsSentAgain() throws Exception {
		PartitionQueueListener listener = worker.getBean(PartitionQueueListener.class);
		JobRepository repository = manager.getBean(JobRepository.class);
		PartitionHeartbeats heartbeats = manager.getBean(PartitionHeartbeats.class);
		listener.stop();
		CompletableFuture<JobExecution> launched;
		long taken;
		Message message;
		try {
			launched = launchInBackground("lost-takeover-");
			// given a worker that started one partition and still beats, with its message in hand
			message = receiveOne(600);
			taken = startedByVanishedWorker(message, false);
			heartbeats.started(taken, "vanished-worker");
		}
		finally {
			listener.start();
		}
		long jobExecutionId = repository.getStepExecution(taken).getJobExecutionId();
		// the live worker runs every other partition, then stops receiving
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			heartbeats.beat(List.of(taken), "vanished-worker");
			return repository.getJobExecution(jobExecutionId).getStepExecutions().stream()
			.filter(s -> s.getStepName().startsWith("analyseWorkerStep:") && s.getId() != taken)
			.allMatch(s -> s.getStatus() == BatchStatus.COMPLETED);
		});
		listener.stop();
		long requested;
		Message resent = null;
		try {
			// the vanished worker falls silent: the manager re-sends its partition, and that message is lost too
			new org.springframework.jdbc.core.JdbcTemplate(manager.getBean(javax.sql.DataSource.class))
				.update("UPDATE " + PartitionHeartbeats.TABLE + " SET BEAT_MILLIS = ? WHERE STEP_EXECUTION_ID = ?",
						System.currentTimeMillis() - 120_000, taken);
			resent = await().atMost(Duration.ofSeconds(20))
				.until(() -> sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1).visibilityTimeout(600))
					.messages(), messages -> !messages.isEmpty())
				.get(0);
			assertThat(PartitionRequest.parse(resent.body()).getStepExecutionId()).isEqualTo(taken);
			// the manager records a request after sending it, so the message can come before the record
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(heartbeats.find(taken).orElseThrow().takeoverPending()).isTrue());
			requested = heartbeats.find(taken).orElseThrow().takeoverRequestedMillis();

			// then: with the queue empty for takeover-after, the manager sends it a third time
			Message third = await().atMost(Duration.ofSeconds(60))
				.until(() -> sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1).visibilityTimeout(0))
					.messages(), messages -> !messages.isEmpty())
				.get(0);
			assertThat(PartitionRequest.parse(third.body()).getStepExecutionId()).isEqualTo(taken);
			// recorded after the send, as above
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
					heartbeats.find(taken).orElseThrow().takeoverRequestedMillis()).isGreaterThan(requested));
		}
		finally {
			listener.start();
			for (Message held : new Message[] { message, resent }) {
				if (held != null) {
					sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(held.receiptHandle()));
				}
			}
		}

		JobExecution execution = launched.get(60, TimeUnit.SECONDS);
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		StepExecution takenOver = repository.getStepExecution(taken);
		assertThat(takenOver.getExecutionContext().getString(PartitionQueueListener.WORKER)).isEqualTo(WORKER_ID);
		JobStatus status = manager.getBean(JobStatusService.class).get(execution.getId()).orElseThrow();
		assertThat(status.files()).isEqualTo(files);
		assertThat(status.resultEvents()).isEqualTo(status.samples());
	}

	@Test
	void malformedPartitionMessagesEndInTheDlqWithTheReason() {
		String notJson = "{\"stepName\": analyseWorkerStep";
		String noId = "{\"stepName\":\"analyseWorkerStep\"}";
		String otherStep = "{\"stepName\":\"projectStep\",\"stepExecutionId\":1}";
		String unknownExecution = "{\"stepName\":\"analyseWorkerStep\",\"stepExecutionId\":" + Long.MAX_VALUE + "}";
		for (String body : List.of(notJson, noId, otherStep, unknownExecution)) {
			sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
		}

		await().atMost(Duration.ofSeconds(20)).until(() -> dlqMessages().size() >= 4);

		Map<String, String> reasons = new java.util.HashMap<>();
		for (Message m : dlqMessages()) {
			reasons.put(m.body(), m.messageAttributes().get(PartitionQueueListener.ERROR_ATTRIBUTE).stringValue());
		}
		assertThat(reasons.get(notJson)).contains("not valid JSON");
		assertThat(reasons.get(noId)).contains("no positive whole stepExecutionId");
		assertThat(reasons.get(otherStep)).contains("'projectStep' is not a partition step");
		assertThat(reasons.get(unknownExecution)).contains("There is no step execution " + Long.MAX_VALUE);
		await().atMost(Duration.ofSeconds(10)).until(() -> depth(queueUrl) == 0);
	}

	/** Receives one partition message, hidden from the workers for {@code visibilitySeconds}. */
	static Message receiveOne(int visibilitySeconds) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1)
				.visibilityTimeout(visibilitySeconds)).messages(), messages -> !messages.isEmpty())
			.get(0);
	}

	/** Marks the message's partition STARTED by a worker that then vanished; returns its step execution id. */
	static long startedByVanishedWorker(Message message, boolean begunRun) throws Exception {
		JobRepository repository = manager.getBean(JobRepository.class);
		long taken = PartitionRequest.parse(message.body()).getStepExecutionId();
		StepExecution partition = repository.getStepExecution(taken);
		partition.setStatus(BatchStatus.STARTED);
		partition.setStartTime(java.time.LocalDateTime.now());
		partition.getExecutionContext().putString(PartitionQueueListener.WORKER, "vanished-worker");
		if (begunRun) {
			partition.getExecutionContext().putInt(PartitionRuns.RUNS, 1); // it had begun its first run
		}
		repository.update(partition);
		repository.updateExecutionContext(partition);
		return taken;
	}

	/** Launches a rescan of the corpus on the manager, on a thread of its own; the future ends with the job. */
	static CompletableFuture<JobExecution> launchInBackground(String name) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return manager.getBean(RescanLauncher.class).run(new RescanLauncher.Request(corpus.toString(),
						rules.toString(), name + UUID.randomUUID(), null));
			}
			catch (Exception e) {
				throw new CompletionException(e);
			}
		});
	}

	/** The same corpus with local partitioning, in a third context on the same database. */
	static Set<String> localRun() throws Exception {
		try (ConfigurableApplicationContext local = start("local", "--trawl.partitioning=local", "--trawl.role=all")) {
			JobExecution execution = local.getBean(RescanLauncher.class)
				.run(new RescanLauncher.Request(corpus.toString(), rules.toString(), "local-" + UUID.randomUUID(),
						null));
			assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			assertThat(local.getBeanProvider(PartitionQueueListener.class).getIfAvailable()).isNull();
			JobStatus status = local.getBean(JobStatusService.class).get(execution.getId()).orElseThrow();
			assertThat(status.resultEvents()).isEqualTo(status.samples());
			return sha256s(local, execution.getId());
		}
	}

	static Set<String> sha256s(ConfigurableApplicationContext context, long jobExecutionId) {
		Set<String> shas = new HashSet<>();
		context.getBean(JobStatusService.class).results(jobExecutionId, (SampleView row) -> shas.add(row.sha256()));
		return shas;
	}

	static int depth(String url) {
		Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url)
			.attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
					QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
		return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
				+ Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
	}

	static List<Message> dlqMessages() {
		List<Message> all = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			sqs.receiveMessage(b -> b.queueUrl(dlqUrl).maxNumberOfMessages(10).waitTimeSeconds(0)
				.visibilityTimeout(0).messageAttributeNames("All")).messages()
				.stream()
				.filter(m -> all.stream().noneMatch(a -> a.messageId().equals(m.messageId())))
				.forEach(all::add);
		}
		return all;
	}

	static void requirePostgres() {
		try (Connection connection = DriverManager.getConnection(JDBC_URL, JdbcDatabases.POSTGRES_USER,
				JdbcDatabases.POSTGRES_PASSWORD)) {
			connection.isValid(2);
		}
		catch (SQLException e) {
			fail("Remote partitioning tests need the shared job repository on PostgreSQL at " + JDBC_URL
					+ " as " + JdbcDatabases.POSTGRES_USER + " (.ci/run creates role trawl/trawl and database "
					+ "trawl_test; TRAWL_TEST_POSTGRES_URL/_USER/_PASSWORD choose another), but it is unreachable: "
					+ e.getMessage());
		}
	}
}
