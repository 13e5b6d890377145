package io.trawl.jobs.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.jobs.status.JobStatusService;
import io.trawl.jobs.web.GatedAnalyzerControl;
import io.trawl.readmodel.jdbc.JdbcDatabases;

/**
 * A partition that runs longer than its message's visibility timeout (30 s, the shortest a worker sets) stays with
 * its worker: the worker keeps extending the visibility, so a second worker polling the same queue never receives
 * it, and the message is deleted once, when the partition ends.
 */
class RemotePartitioningVisibilityFunctionalTests {

	@TempDir
	static Path workspace;
	static SQSRestServer elasticMq;
	static SqsClient sqs;
	static String queueUrl;
	static String endpoint;
	static final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	@BeforeAll
	static void startElasticMq() {
		RemotePartitioningFunctionalTests.requirePostgres();
		System.setProperty("aws.accessKeyId", "trawl-test");
		System.setProperty("aws.secretAccessKey", "trawl-test-secret");
		elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
		endpoint = "http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort();
		sqs = SqsClient.builder().region(Region.US_EAST_1).endpointOverride(java.net.URI.create(endpoint))
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("trawl-test", "x")))
			.build();
		queueUrl = sqs.createQueue(b -> b.queueName("partitions-vis-" + UUID.randomUUID().toString().substring(0, 8)))
			.queueUrl();
	}

	@AfterAll
	static void stop() {
		GatedAnalyzerControl.open();
		for (int i = contexts.size() - 1; i >= 0; i--) {
			contexts.get(i).close();
		}
		if (sqs != null) {
			sqs.close();
		}
		if (elasticMq != null) {
			elasticMq.stopAndWait();
		}
	}

	@Test
	void aPartitionLongerThanTheVisibilityTimeoutIsNotRedeliveredToASecondWorker() throws Exception {
		Path corpus = Files.createDirectories(workspace.resolve("corpus"));
		Files.writeString(corpus.resolve("gate.bin"), GatedAnalyzerControl.MARKER + " held past the visibility timeout",
				StandardCharsets.US_ASCII);
		Path rules = workspace.resolve("rules.yar");
		Files.copy(Path.of("src/test/resources/test-rules.yar"), rules);
		ConfigurableApplicationContext manager = start("manager", "--trawl.role=manager");
		ConfigurableApplicationContext first = start("first", "--trawl.role=worker",
				"--trawl.partitions.worker-id=first-worker");
		GatedAnalyzerControl.close();
		CompletableFuture<JobExecution> launched;
		try {
			launched = CompletableFuture.supplyAsync(() -> {
				try {
					return manager.getBean(RescanLauncher.class).run(new RescanLauncher.Request(corpus.toString(),
							rules.toString(), "visibility-" + UUID.randomUUID(), null));
				}
				catch (Exception e) {
					throw new CompletionException(e);
				}
			});
			// the first worker holds the only partition; then a second worker polls the same queue
			await().atMost(Duration.ofSeconds(60)).until(() -> GatedAnalyzerControl.held() > 0);
			ConfigurableApplicationContext second = start("second", "--trawl.role=worker",
					"--trawl.partitions.worker-id=second-worker");
			PartitionQueueListener secondWorker = second.getBean(PartitionQueueListener.class);

			// well past the 30 s visibility timeout the message is still in flight, with the first worker
			await().during(Duration.ofSeconds(40)).atMost(Duration.ofSeconds(60))
				.until(() -> inFlight() == 1 && visible() == 0 && secondWorker.partitionsRun() == 0
						&& GatedAnalyzerControl.held() == 1);
		}
		finally {
			GatedAnalyzerControl.open();
		}

		JobExecution execution = launched.get(120, TimeUnit.SECONDS);
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		List<StepExecution> partitions = manager.getBean(JobStatusService.class).execution(execution.getId())
			.orElseThrow().getStepExecutions().stream()
			.filter(s -> s.getStepName().startsWith(WorkerConfiguration.WORKER_STEP + ":"))
			.toList();
		assertThat(partitions).hasSize(1);
		assertThat(partitions.get(0).getExecutionContext().getString(PartitionQueueListener.WORKER))
			.isEqualTo("first-worker");
		assertThat(first.getBean(PartitionQueueListener.class).partitionsRun()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(15)).until(() -> inFlight() + visible() == 0);
	}

	static ConfigurableApplicationContext start(String name, String... extra) throws Exception {
		Path dataDir = Files.createDirectories(workspace.resolve(name));
		Map<String, String> arguments = new LinkedHashMap<>();
		for (String argument : List.of("--server.port=0", "--trawl.data-dir=" + dataDir,
				"--logging.file.name=" + dataDir.resolve("trawl.log"),
				"--spring.datasource.url=" + JdbcDatabases.POSTGRES_URL,
				"--spring.datasource.username=" + JdbcDatabases.POSTGRES_USER,
				"--spring.datasource.password=" + JdbcDatabases.POSTGRES_PASSWORD,
				"--trawl.partitioning=remote", "--trawl.analysis.grid-size=1", "--trawl.analysis.threads=1",
				"--trawl.analysis.extra-analyzers=io.trawl.jobs.web.GatedAnalyzer",
				"--trawl.aws.region=us-east-1", "--trawl.aws.endpoints.sqs=" + endpoint,
				"--trawl.partitions.queue-url=" + queueUrl, "--trawl.partitions.visibility-timeout=30s",
				"--trawl.partitions.poll-interval=200ms", "--trawl.partitions.wait-time=1s",
				"--trawl.partitions.timeout=180s")) {
			arguments.put(argument.substring(0, argument.indexOf('=')), argument);
		}
		for (String argument : extra) {
			arguments.put(argument.substring(0, argument.indexOf('=')), argument);
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(TrawlApplication.class)
			.web(WebApplicationType.SERVLET).run(arguments.values().toArray(String[]::new));
		contexts.add(context);
		return context;
	}

	static int inFlight() {
		return attribute(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE);
	}

	static int visible() {
		return attribute(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
	}

	private static int attribute(QueueAttributeName name) {
		return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(name))
			.attributes()
			.get(name));
	}
}
