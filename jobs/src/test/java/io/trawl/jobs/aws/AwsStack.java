package io.trawl.jobs.aws;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import io.trawl.devtools.AwsLocal;
import io.trawl.jobs.TrawlApplication;
import io.trawl.jobs.launch.LaunchMessage;
import io.trawl.jobs.status.JobStatus;
import io.trawl.jobs.status.JobStatusService;

/**
 * The emulators of {@code trawl aws-local} (S3Proxy, ElasticMQ, dynalite; in memory, free ports) and the service
 * ({@code trawl serve}) on them with the aws profile and an H2 job repository. Closing stops the service first, then
 * the emulators, so the launch listener never polls a stopped ElasticMQ.
 */
public final class AwsStack implements AutoCloseable {

	/** A rule that matches the marker {@code TRAWL-AWS-MARKER}. */
	public static final String RULE = "rule trawl_aws_marker { strings: $m = \"TRAWL-AWS-MARKER\" condition: $m }\n";

	public final AwsLocal local;
	public final ConfigurableApplicationContext context;
	public final S3Client s3;
	public final SqsClient sqs;

	private AwsStack(AwsLocal local, ConfigurableApplicationContext context) {
		this.local = local;
		this.context = context;
		this.s3 = local.s3();
		this.sqs = local.sqs();
	}

	public static AwsStack start(Path dataDir) {
		return start(dataDir, List.of());
	}

	/** With further configuration classes (plain classes with {@code @Bean} methods) and command-line arguments. */
	public static AwsStack start(Path dataDir, List<Class<?>> extraSources, String... extraArguments) {
		return start(dataDir, extraSources, local -> List.of(extraArguments));
	}

	/** With command-line arguments made once the emulators run, for example after creating more queues in them. */
	public static AwsStack start(Path dataDir, List<Class<?>> extraSources, Function<AwsLocal, List<String>> arguments) {
		// the default credentials chain reads these, as it would read AWS_ACCESS_KEY_ID from aws-local.env
		System.setProperty("aws.accessKeyId", AwsLocal.ACCESS_KEY);
		System.setProperty("aws.secretAccessKey", AwsLocal.SECRET_KEY);
		AwsLocal local = AwsLocal.start(AwsLocal.Settings.transientOnFreePorts());
		try {
			String[] extraArguments = arguments.apply(local).toArray(String[]::new);
			List<Class<?>> sources = new ArrayList<>(List.of(TrawlApplication.class));
			sources.addAll(extraSources);
			ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
				.web(WebApplicationType.SERVLET)
				.profiles("aws")
				.run(arguments(extraArguments, "--server.port=0", "--trawl.data-dir=" + dataDir,
						"--spring.datasource.url=jdbc:h2:mem:aws-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
						"--logging.file.name=" + dataDir.resolve("trawl.log"),
						"--trawl.analysis.grid-size=2",
						"--trawl.aws.region=" + AwsLocal.REGION,
						"--trawl.aws.endpoints.s3=" + local.s3Endpoint(),
						"--trawl.aws.endpoints.sqs=" + local.sqsEndpoint(),
						"--trawl.aws.endpoints.dynamodb=" + local.dynamoDbEndpoint(),
						"--trawl.aws.launch.queue-url=" + local.launchQueueUrl(),
						"--trawl.aws.launch.dlq-url=" + local.launchDlqUrl(),
						"--trawl.aws.launch.wait-time=1s",
						"--trawl.sources.allowed=s3://trawl-samples/,s3://no-such-bucket-here/",
						"--management.cloudwatch.metrics.export.namespace=")); // no CloudWatch, unless a test brings moto
			return new AwsStack(local, context);
		}
		catch (RuntimeException e) {
			local.close();
			throw e;
		}
	}

	/** The base arguments, each replaced by an extra one of the same name. */
	private static String[] arguments(String[] extra, String... base) {
		Map<String, String> all = new LinkedHashMap<>();
		for (String argument : Stream.concat(Stream.of(base), Stream.of(extra)).toList()) {
			all.put(argument.substring(0, Math.max(0, argument.indexOf('='))), argument);
		}
		return all.values().toArray(String[]::new);
	}

	public JobStatusService status() {
		return context.getBean(JobStatusService.class);
	}

	public void put(String key, byte[] content) {
		s3.putObject(b -> b.bucket(AwsLocal.BUCKET).key(key), RequestBody.fromBytes(content));
	}

	public void put(String key, String content) {
		put(key, content.getBytes(StandardCharsets.UTF_8));
	}

	public void send(String body) {
		sqs.sendMessage(b -> b.queueUrl(local.launchQueueUrl()).messageBody(body));
	}

	/** Waits for the execution of this request to end (seconds, or minutes on a busy machine), and returns it. */
	public JobStatus awaitEnded(String requestId) {
		return await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
			.until(() -> executions(requestId).stream().filter(s -> s.endTime() != null).findFirst().orElse(null),
					s -> s != null);
	}

	public List<JobStatus> executions(String requestId) {
		return status().list(1000).stream().filter(s -> requestId.equals(s.requestId())).toList();
	}

	/** Every message now on the DLQ (received and made visible again at once). */
	public List<Message> dlqMessages() {
		List<Message> all = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			var messages = sqs.receiveMessage(b -> b.queueUrl(local.launchDlqUrl()).maxNumberOfMessages(10)
				.waitTimeSeconds(0).visibilityTimeout(0).messageAttributeNames("All")).messages();
			messages.stream().filter(m -> all.stream().noneMatch(a -> a.messageId().equals(m.messageId())))
				.forEach(all::add);
		}
		return all;
	}

	/** Messages on the launch queue, visible or in flight. */
	public int launchQueueDepth() {
		Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(local.launchQueueUrl())
			.attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
					QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
		return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
				+ Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
	}

	/** A version 1 scan launch message. */
	public static String launchMessage(String requestId, String source, String rules) {
		return new LaunchMessage(1, "scan", requestId, source, rules, null).toJson();
	}

	public static String sha256(byte[] content) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
		}
		catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	@Override
	public void close() {
		try {
			context.close();
		}
		finally {
			s3.close();
			sqs.close();
			local.close();
		}
	}
}
