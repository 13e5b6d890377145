package io.trawl.jobs.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import io.trawl.jobs.aws.AwsStack;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.readmodel.dynamodb.DynamoDbTableNames;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * {@code projectRebuildJob} on the aws profile: events and query tables in DynamoDB (dynalite), samples and rules in
 * S3. After rescans of two prefixes with two rulesets, a rebuild gives every query table back item for item, also
 * after items were deleted and changed.
 */
class ProjectRebuildAwsFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path dataDir;
	static AwsStack aws;
	static DynamoDbClient dynamoDb;
	static DynamoDbTableNames names;

	@BeforeAll
	static void start() {
		aws = AwsStack.start(dataDir);
		dynamoDb = aws.context.getBean(DynamoDbClient.class);
		names = aws.context.getBean(DynamoDbTableNames.class);
	}

	@AfterAll
	static void stop() {
		if (aws != null) {
			aws.close();
		}
	}

	@Test
	void aRebuildGivesEveryDynamoDbTableBackAlsoAfterDamage() throws Exception {
		// given two prefixes, sharing a sample, rescanned with two rulesets
		aws.put("rebuild/a/marked.txt", "TRAWL-AWS-MARKER in a\n");
		aws.put("rebuild/a/eicar.com", TestCorpus.eicar());
		aws.put("rebuild/a/normal.zip", TestCorpus.normalZip());
		aws.put("rebuild/a/pe32.exe", TestCorpus.pe32());
		aws.put("rebuild/b/eicar-again.txt", TestCorpus.eicar());
		aws.put("rebuild/b/members.zip", TestCorpus.zip(Map.of("m/marked.txt",
				"TRAWL-AWS-MARKER in a member\n".getBytes())));
		aws.put("rebuild/rules/marker.yar", AwsStack.RULE);
		aws.put("rebuild/rules/eicar.yar", AwsStack.RULE
				+ "rule eicar { strings: $e = \"EICAR-STANDARD-ANTIVIRUS-TEST-FILE\" condition: $e }\n");
		List<Long> rescans = new ArrayList<>();
		rescans.add(rescan("a", "marker.yar"));
		rescans.add(rescan("b", "eicar.yar"));
		rescans.add(rescan("a", "eicar.yar"));
		Map<String, Set<Map<String, AttributeValue>>> before = tables();
		assertThat(before.get(names.jobs())).hasSize(3);
		assertThat(before.get(names.ruleHits())).isNotEmpty();
		Map<Long, String> statusBefore = status(rescans);

		// when the tables are rebuilt
		ProjectRebuild rebuild = aws.context.getBean(ProjectRebuild.class);
		JobExecution rebuilt = rebuild.run("test");

		// then every table is as the jobs' own projections left it, and so is each job's status
		assertThat(rebuilt.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(tables()).isEqualTo(before);
		assertThat(status(rescans)).isEqualTo(statusBefore);
		assertThat(rebuild.report(rebuilt).jobs()).isEqualTo(3);

		// and when items are deleted and changed, a rebuild restores them
		Map<String, AttributeValue> latest = before.get(names.samples()).iterator().next();
		Map<String, AttributeValue> changed = new HashMap<>(latest);
		changed.put("verdict", AttributeValue.fromS("tampered"));
		dynamoDb.putItem(b -> b.tableName(names.samples()).item(changed));
		Map<String, AttributeValue> summary = before.get(names.jobs()).iterator().next();
		dynamoDb.deleteItem(b -> b.tableName(names.jobs()).key(Map.of("jobInstanceId", summary.get("jobInstanceId"))));
		assertThat(tables()).isNotEqualTo(before);
		assertThat(rebuild.run("test").getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(tables()).isEqualTo(before);
		assertThat(status(rescans)).isEqualTo(statusBefore);
	}

	private static long rescan(String prefix, String rules) throws Exception {
		JobExecution execution = aws.context.getBean(RescanLauncher.class).run(new RescanLauncher.Request(
				"s3://trawl-samples/rebuild/" + prefix + "/", "s3://trawl-samples/rebuild/rules/" + rules,
				"rebuild-aws-" + System.nanoTime(), null));
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		return execution.getId();
	}

	private static Map<Long, String> status(List<Long> executions) {
		Map<Long, String> answers = new LinkedHashMap<>();
		for (long execution : executions) {
			answers.put(execution, JSON.writeValueAsString(aws.status().get(execution).orElseThrow()));
		}
		return answers;
	}

	/** Every item of every query table, as sets; a summary's projection time left out. */
	private static Map<String, Set<Map<String, AttributeValue>>> tables() {
		Map<String, Set<Map<String, AttributeValue>>> tables = new LinkedHashMap<>();
		for (String table : List.of(names.jobSamples(), names.samples(), names.jobs(), names.ruleHits())) {
			Set<Map<String, AttributeValue>> items = new HashSet<>();
			dynamoDb.scanPaginator(b -> b.tableName(table).consistentRead(true)).items().forEach(item -> {
				Map<String, AttributeValue> kept = new HashMap<>(item);
				if (kept.remove("projectedAt") != null) {
					ObjectNode document = (ObjectNode) JSON.readTree(kept.get("summary").s());
					document.remove("projectedAt");
					kept.put("summary", AttributeValue.fromS(document.toString()));
				}
				items.add(kept);
			});
			tables.put(table, items);
		}
		return tables;
	}
}
