package io.trawl.jobs.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.sqs.model.Message;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.jobs.aws.AwsStack;
import io.trawl.jobs.status.JobStatus;
import io.trawl.readmodel.query.SampleView;

/**
 * The SQS launch path end to end, on S3Proxy, ElasticMQ and dynalite: a launch message starts rescanJob, whose
 * results land in the DynamoDB query tables; a duplicate starts nothing; bad messages end in the DLQ with a reason.
 */
class SqsLaunchFunctionalTests {

	static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path dataDir;
	static AwsStack aws;

	@BeforeAll
	static void start() {
		aws = AwsStack.start(dataDir);
	}

	@AfterAll
	static void stop() {
		if (aws != null) {
			aws.close();
		}
	}

	@Test
	void aLaunchMessageRunsTheJobAndItsResultsAreInDynamoDb() {
		// given samples and a rule in S3
		Map<String, byte[]> samples = new HashMap<>();
		samples.put("launch/marked.txt", "a text with TRAWL-AWS-MARKER inside\n".getBytes(StandardCharsets.UTF_8));
		samples.put("launch/plain.txt", "nothing to see\n".getBytes(StandardCharsets.UTF_8));
		byte[] random = new byte[8192];
		new Random(42).nextBytes(random);
		samples.put("launch/nested/random.bin", random);
		samples.forEach(aws::put);
		aws.put("rules/marker.yar", AwsStack.RULE);

		// when a launch message arrives
		aws.send(AwsStack.launchMessage("launch-1", "s3://trawl-samples/launch/",
				"s3://trawl-samples/rules/marker.yar"));

		// then the job completes and the query tables hold one result per sample, with the right hashes and hit
		JobStatus status = aws.awaitEnded("launch-1");
		assertThat(status.status()).isEqualTo("COMPLETED");
		assertThat(status.source()).isEqualTo("s3://trawl-samples/launch/");
		assertThat(status.rules()).isEqualTo("s3://trawl-samples/rules/marker.yar");
		assertThat(status.launchedBy()).isEqualTo("sqs");
		assertThat(status.samples()).isEqualTo(3);
		assertThat(status.errors()).isZero();
		assertThat(status.ruleHits()).hasSize(1);
		assertThat(status.ruleHits().keySet().iterator().next()).contains("trawl_aws_marker");
		List<SampleView> rows = new ArrayList<>();
		aws.status().results(status.jobExecutionId(), rows::add);
		assertThat(rows).extracting(SampleView::sha256)
			.containsExactlyInAnyOrderElementsOf(samples.values().stream().map(AwsStack::sha256).toList());
		JsonNode marked = JSON.readTree(aws.status().sample(AwsStack.sha256(samples.get("launch/marked.txt")))
			.orElseThrow().document());
		assertThat(marked.get("yara").toString()).contains("trawl_aws_marker");
		JsonNode plain = JSON.readTree(aws.status().sample(AwsStack.sha256(samples.get("launch/plain.txt")))
			.orElseThrow().document());
		assertThat(plain.get("yara").toString()).doesNotContain("trawl_aws_marker");
		await().atMost(Duration.ofSeconds(10)).until(() -> aws.launchQueueDepth() == 0);
	}

	@Test
	void theSameMessageSentTwiceRunsOneJob() {
		aws.put("twice/a.txt", "first sample");
		aws.put("rules/marker2.yar", AwsStack.RULE);
		String body = AwsStack.launchMessage("twice-1", "s3://trawl-samples/twice/",
				"s3://trawl-samples/rules/marker2.yar");
		aws.send(body);
		aws.send(body);
		assertThat(aws.awaitEnded("twice-1").status()).isEqualTo("COMPLETED");
		await().atMost(Duration.ofSeconds(20)).until(() -> aws.launchQueueDepth() == 0);
		// once more after completion: still one job
		aws.send(body);
		await().atMost(Duration.ofSeconds(20)).until(() -> aws.launchQueueDepth() == 0);
		assertThat(aws.executions("twice-1")).hasSize(1);
		assertThat(aws.dlqMessages()).noneMatch(m -> m.body().equals(body));
	}

	@Test
	void malformedAndInvalidMessagesEndInTheDlqWithTheReason() {
		aws.put("invalid/a.txt", "a sample");
		aws.put("rules/broken.yar", "rule broken { condition: }\n");
		String badJson = "{\"type\":\"scan\", requestId: oops";
		String unknownType = "{\"type\":\"delete-everything\",\"requestId\":\"bad-2\",\"source\":\"s3://trawl-samples/x\"}";
		String noRequestId = "{\"type\":\"scan\",\"source\":\"s3://trawl-samples/invalid/\"}";
		String missingBucket = AwsStack.launchMessage("bad-4", "s3://no-such-bucket-here/x/", null);
		String brokenRules = AwsStack.launchMessage("bad-5", "s3://trawl-samples/invalid/",
				"s3://trawl-samples/rules/broken.yar");
		String otherBucket = AwsStack.launchMessage("bad-6", "s3://other-bucket/x/", null);
		String otherRules = AwsStack.launchMessage("bad-7", "s3://trawl-samples/invalid/",
				"s3://other-bucket/rules.yar");
		String nightly = AwsStack.launchMessage("nightly-2099-01-01", "s3://trawl-samples/invalid/", null);
		for (String body : List.of(badJson, unknownType, noRequestId, missingBucket, brokenRules, otherBucket,
				otherRules, nightly)) {
			aws.send(body);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> aws.dlqMessages().size() >= 8);
		Map<String, String> reasons = new HashMap<>();
		for (Message m : aws.dlqMessages()) {
			reasons.put(m.body(), m.messageAttributes().get(LaunchQueueListener.ERROR_ATTRIBUTE).stringValue());
		}
		assertThat(reasons.get(badJson)).contains("not valid JSON");
		assertThat(reasons.get(unknownType)).contains("type 'delete-everything' is unknown");
		assertThat(reasons.get(noRequestId)).contains("has no requestId");
		assertThat(reasons.get(missingBucket)).contains("no-such-bucket-here").contains("does not exist");
		assertThat(reasons.get(brokenRules)).contains("do not compile");
		assertThat(reasons.get(otherBucket)).contains("s3://other-bucket/x/").contains("trawl.sources.allowed");
		assertThat(reasons.get(otherRules)).contains("rules").contains("trawl.sources.allowed");
		assertThat(reasons.get(nightly)).contains("reserved for the nightly schedule");
		await().atMost(Duration.ofSeconds(10)).until(() -> aws.launchQueueDepth() == 0);
		assertThat(aws.executions("bad-4")).isEmpty();
		assertThat(aws.executions("bad-5")).isEmpty();
		assertThat(aws.executions("bad-6")).isEmpty();
		assertThat(aws.executions("nightly-2099-01-01")).isEmpty();
	}
}
