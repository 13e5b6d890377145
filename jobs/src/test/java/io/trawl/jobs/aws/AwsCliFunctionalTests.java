package io.trawl.jobs.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.queue.DeadLetters;
import io.trawl.devtools.AwsLocal;
import io.trawl.jobs.status.JobStatus;
import io.trawl.readmodel.query.SampleView;

/**
 * End to end with the real AWS CLI against the emulators, as an operator would drive Trawl: upload with
 * {@code aws s3 cp}, launch with {@code aws sqs send-message}, read the DLQ with {@code aws sqs receive-message}.
 */
class AwsCliFunctionalTests {

	static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path dataDir;
	@TempDir
	static Path work;
	static AwsStack aws;

	@BeforeAll
	static void start() throws Exception {
		try {
			Process version = new ProcessBuilder("aws", "--version").redirectErrorStream(true).start();
			version.getInputStream().readAllBytes();
			version.waitFor(60, TimeUnit.SECONDS);
		}
		catch (IOException missing) {
			fail("The AWS CLI (aws) is not installed; install it with: apt-get install -y awscli (" + missing.getMessage()
					+ ")");
		}
		aws = AwsStack.start(dataDir);
	}

	@AfterAll
	static void stop() {
		if (aws != null) {
			aws.close();
		}
	}

	@Test
	void uploadLaunchTwiceAndReadTheResultsAndTheDlqWithTheAwsCli() throws Exception {
		// given samples and a rule uploaded with aws s3 cp
		Path samples = Files.createDirectories(work.resolve("samples"));
		byte[] marked = "TRAWL-AWS-MARKER from the aws cli\n".getBytes(StandardCharsets.UTF_8);
		byte[] other = "another sample\n".getBytes(StandardCharsets.UTF_8);
		Files.write(samples.resolve("marked.txt"), marked);
		Files.write(Files.createDirectories(samples.resolve("sub")).resolve("other.txt"), other);
		Path rule = Files.writeString(work.resolve("marker.yar"), AwsStack.RULE);
		awsCli("--endpoint-url", aws.local.s3Endpoint().toString(), "s3", "cp", "--recursive", samples.toString(),
				"s3://trawl-samples/cli/");
		awsCli("--endpoint-url", aws.local.s3Endpoint().toString(), "s3", "cp", rule.toString(),
				"s3://trawl-samples/cli-rules/marker.yar");

		// when the same launch message is sent twice with aws sqs send-message
		String body = "{\"version\":1,\"type\":\"scan\",\"requestId\":\"cli-1\",\"source\":\"s3://trawl-samples/cli/\","
				+ "\"rules\":\"s3://trawl-samples/cli-rules/marker.yar\"}";
		for (int i = 0; i < 2; i++) {
			awsCli("--endpoint-url", aws.local.sqsEndpoint().toString(), "sqs", "send-message", "--queue-url",
					aws.local.launchQueueUrl(), "--message-body", body);
		}

		// then one job completes, and its results are in DynamoDB
		JobStatus status = aws.awaitEnded("cli-1");
		assertThat(status.status()).isEqualTo("COMPLETED");
		await().atMost(Duration.ofSeconds(20)).until(() -> aws.launchQueueDepth() == 0);
		assertThat(aws.executions("cli-1")).hasSize(1);
		List<SampleView> rows = new ArrayList<>();
		aws.status().results(status.jobExecutionId(), rows::add);
		assertThat(rows).extracting(SampleView::sha256)
			.containsExactlyInAnyOrder(AwsStack.sha256(marked), AwsStack.sha256(other));
		assertThat(status.ruleHits().keySet()).anyMatch(rule1 -> rule1.contains("trawl_aws_marker"));
		JsonNode item = JSON.readTree(awsCli("--endpoint-url", aws.local.dynamoDbEndpoint().toString(), "dynamodb",
				"get-item", "--table-name", "trawl-samples", "--key",
				"{\"sha256\":{\"S\":\"" + AwsStack.sha256(marked) + "\"}}"));
		assertThat(item.path("Item").path("sha256").path("S").asString()).isEqualTo(AwsStack.sha256(marked));

		// and a malformed message reaches the DLQ with its reason
		awsCli("--endpoint-url", aws.local.sqsEndpoint().toString(), "sqs", "send-message", "--queue-url",
				aws.local.launchQueueUrl(), "--message-body", "this is not json");
		JsonNode dead = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
			.until(() -> findDeadLetter("this is not json"), m -> m != null);
		assertThat(dead.path("MessageAttributes").path(DeadLetters.ERROR_ATTRIBUTE).path("StringValue")
			.asString()).contains("not valid JSON");
		await().atMost(Duration.ofSeconds(10)).until(() -> aws.launchQueueDepth() == 0);
	}

	private JsonNode findDeadLetter(String body) throws Exception {
		String out = awsCli("--endpoint-url", aws.local.sqsEndpoint().toString(), "sqs", "receive-message",
				"--queue-url", aws.local.launchDlqUrl(), "--max-number-of-messages", "10", "--visibility-timeout", "0",
				"--message-attribute-names", "All");
		if (out.isBlank()) {
			return null;
		}
		for (JsonNode message : JSON.readTree(out).path("Messages")) {
			if (message.path("Body").asString().equals(body)) {
				return message;
			}
		}
		return null;
	}

	/** Runs the aws CLI with the emulators' credentials and no user configuration; returns its stdout. */
	static String awsCli(String... arguments) throws Exception {
		List<String> command = new ArrayList<>(List.of("aws", "--output", "json"));
		command.addAll(List.of(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE);
		Map<String, String> env = builder.environment();
		env.keySet().removeIf(name -> name.startsWith("AWS_"));
		env.put("AWS_ACCESS_KEY_ID", AwsLocal.ACCESS_KEY);
		env.put("AWS_SECRET_ACCESS_KEY", AwsLocal.SECRET_KEY);
		env.put("AWS_REGION", AwsLocal.REGION);
		env.put("AWS_DEFAULT_REGION", AwsLocal.REGION);
		env.put("AWS_CONFIG_FILE", work.resolve("no-aws-config").toString());
		env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString());
		env.put("AWS_PAGER", "");
		Process process = builder.start();
		var stderr = process.getErrorStream();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String err = new String(stderr.readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
			fail("aws " + String.join(" ", arguments) + " failed: " + err + out);
		}
		return out;
	}
}
