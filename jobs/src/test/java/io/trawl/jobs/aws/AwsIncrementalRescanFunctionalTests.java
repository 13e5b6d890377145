package io.trawl.jobs.aws;

import static io.trawl.jobs.rescan.ComparableResults.document;
import static io.trawl.jobs.rescan.ComparableResults.provenance;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.devtools.AwsLocal;
import io.trawl.jobs.launch.LaunchMessage;
import io.trawl.jobs.rescan.ComparableResults;
import io.trawl.jobs.status.JobStatus;
import io.trawl.readmodel.dynamodb.DynamoDbManifests;
import io.trawl.readmodel.dynamodb.DynamoDbTableNames;
import io.trawl.readmodel.event.EventKind;
import io.trawl.readmodel.event.EventStore;
import io.trawl.readmodel.manifest.Manifests;
import io.trawl.readmodel.query.DiffCounts;
import io.trawl.readmodel.query.JobDiff;
import io.trawl.readmodel.query.QueryTables;
import io.trawl.readmodel.manifest.Manifests.Basis;
import io.trawl.readmodel.manifest.Manifests.Entry;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * Issue 14's exactness on the aws profile: samples in S3 (S3Proxy), events and manifests in DynamoDB (dynalite),
 * launches from SQS (ElasticMQ). After a first rescan with rules R1, objects are added, deleted, overwritten,
 * renamed, copied and put again unchanged, and the rules change (two added, one changed, one removed, a private rule
 * a public one uses changed, a rule reading the extension kept). The incremental rescan with R2 stores exactly what a
 * full one stores, but for job ids, times and provenance, and it reused what had not changed. The manifests are in
 * the DynamoDB tables {@code trawl aws-local} creates.
 */
class AwsIncrementalRescanFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final String SOURCE = "s3://" + AwsLocal.BUCKET + "/incremental/";

	private static final String R1 = """
			import "elf"
			private rule IsElf { condition: uint32(0) == 0x464C457F }
			rule ElfShared { condition: IsElf and elf.type == elf.ET_DYN }
			rule Hello { strings: $h = "hello" condition: $h }
			rule ManyZeros { strings: $z = { 00 00 00 00 00 00 00 00 } condition: #z > 10 }
			rule Glibc { strings: $g = "GLIBC" condition: $g }
			rule ShortText { condition: extension == "txt" and filesize < 40 }
			""";

	private static final String R2 = """
			import "elf"
			private rule IsElf { condition: uint32(0) == 0x464C457F and filesize > 100000 }
			rule ElfShared { condition: IsElf and elf.type == elf.ET_DYN }
			rule Hello { strings: $h = "hello" condition: $h }
			rule Glibc { strings: $g = "GLIBC_2.3" condition: $g }
			rule ShortText { condition: extension == "txt" and filesize < 40 }
			rule World { strings: $w = "world" condition: $w }
			rule Zip { strings: $pk = "PK" condition: $pk at 0 }
			""";

	@TempDir
	static Path dataDir;
	@TempDir
	static Path work;
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
	void givenChangedObjectsAndRules_whenRescannedIncrementally_thenTheResultsEqualAFullRescan() throws Exception {
		List<String> libs = putCorpus();
		String lib = libs.get(0);
		// the other library is neither copied nor moved: only its own location can have produced its result
		String kept = libs.get(1);
		aws.put("incremental-rules/r1.yar", R1);
		aws.put("incremental-rules/r2.yar", R2);
		long first = run("r1", false);

		aws.put("incremental/texts/new.txt", "a new world\n");
		copy(lib, "incremental/copies/lib-copy.so");
		aws.s3.deleteObject(b -> b.bucket(AwsLocal.BUCKET).key("incremental/texts/c.txt"));
		aws.put("incremental/texts/a.txt", "hello again, overwritten, a longer text\n");
		copy("incremental/texts/b.txt", "incremental/texts/b-renamed.txt");
		aws.s3.deleteObject(b -> b.bucket(AwsLocal.BUCKET).key("incremental/texts/b.txt"));
		aws.put("incremental/texts/d.txt", "put again, the same bytes\n");
		long incremental = run("r2", false);
		long full = run("r2", true);

		assertThat(results(incremental)).isEqualTo(results(full)).isNotEmpty();
		Map<String, Object> keptResult = document(events(), incremental, kept);
		assertThat(provenance(keptResult, "hashes")).as("unchanged content reused").isEqualTo(first);
		assertThat(provenance(keptResult, "yara")).as("new rules scanned").isEqualTo(incremental);
		assertThat(provenance(document(events(), incremental, "incremental/texts/b-renamed.txt"), "ssdeep")).isEqualTo(first);
		assertThat(provenance(document(events(), incremental, "incremental/texts/a.txt"), "ssdeep")).isEqualTo(incremental);
		assertThat(provenance(document(events(), full, kept), "hashes")).isEqualTo(full);
		// an unchanged archive whose members stand nowhere else: reused, only the delta scanned on it and them
		Map<String, Object> archive = document(events(), incremental, "incremental/synthetic/traversal.zip");
		assertThat(provenance(archive, "archive")).isEqualTo(first);
		assertThat(provenance(archive, "yara")).isEqualTo(incremental);
		String member = io.trawl.worker.analysis.hash.HashAnalyzer.sha256Hex("escaped\n".getBytes(
				java.nio.charset.StandardCharsets.US_ASCII));
		Map<String, Object> memberResult = map(events().find(incremental, member, EventKind.ANALYSED).get(0).payload());
		assertThat(provenance(memberResult, "tlsh")).isEqualTo(first);
		assertThat(provenance(memberResult, "yara")).isEqualTo(incremental);
		// the summaries' diffs, counted on DynamoDB's 8 slices by projectStep, are what one slice counts
		QueryTables tables = aws.context.getBean(QueryTables.class);
		DiffCounts stored = tables.summary(incremental).orElseThrow().diff();
		assertThat(stored.baseJobInstanceId()).isEqualTo(first);
		assertThat(stored).isEqualTo(new JobDiff(tables).counts(stored.base(), first, incremental, 1));
		assertThat(stored.added() + stored.gone()).isPositive();
		try (Stream<Entry> manifest = aws.context.getBean(Manifests.class).range(first, null, kept)) {
			assertThat(manifest.reduce((before, last) -> last)).as("the first job's manifest, in DynamoDB")
				.map(Entry::sha256).contains(String.valueOf(keptResult.get("sha256")));
		}
	}

	@Test
	void theAwsProfileStoresManifestsInTheTablesAwsLocalCreated() {
		// given the service on the emulators
		Manifests manifests = aws.context.getBean(Manifests.class);

		// when it stores a manifest, a ruleset and a basis
		manifests.put(42, List.of(new Entry("cli/sub/other.txt", "etag=1;size=15", "ab".repeat(32)),
				new Entry("cli/marked.txt", "etag=2;size=34", null)));
		manifests.putRuleset("v1", Map.of("marker.yar:trawl_aws_marker", "cd".repeat(32)));
		manifests.putBasis(new Basis("s3://trawl-samples/cli/", 42, "v1", "defaults"));

		// then they come back, from the tables aws-local made with the default names
		assertThat(manifests).isInstanceOf(DynamoDbManifests.class);
		try (Stream<Entry> range = manifests.range(42, null, null)) {
			assertThat(range.map(Entry::location)).containsExactly("cli/marked.txt", "cli/sub/other.txt");
		}
		assertThat(manifests.ruleset("v1")).contains(Map.of("marker.yar:trawl_aws_marker", "cd".repeat(32)));
		assertThat(manifests.basis("s3://trawl-samples/cli/")).map(Basis::jobInstanceId).contains(42L);
		try (DynamoDbClient dynamoDb = aws.local.dynamoDb()) {
			assertThat(dynamoDb.listTables().tableNames()).containsAll(DynamoDbTableNames.defaults().all());
		}
	}

	/** The synthetic corpus, four short texts and two shared libraries; the libraries' keys. */
	private static List<String> putCorpus() throws IOException {
		Path corpus = work.resolve("corpus");
		TestCorpus.writeTo(corpus.resolve("synthetic"));
		try (Stream<Path> files = Files.walk(corpus)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				aws.put("incremental/" + corpus.relativize(file), Files.readAllBytes(file));
			}
		}
		aws.put("incremental/texts/a.txt", "hello there\n");
		aws.put("incremental/texts/b.txt", "hello world, to be renamed\n");
		aws.put("incremental/texts/c.txt", "to be deleted\n");
		aws.put("incremental/texts/d.txt", "put again, the same bytes\n");
		List<Path> libs;
		try (Stream<Path> system = Files.list(Path.of("/usr/lib/x86_64-linux-gnu"))) {
			libs = system.filter(p -> p.getFileName().toString().matches("lib[a-z]+\\.so\\.\\d+"))
				.filter(Files::isRegularFile).sorted().limit(2).toList();
		}
		for (Path lib : libs) {
			aws.put("incremental/libs/" + lib.getFileName(), Files.readAllBytes(lib));
		}
		return libs.stream().map(lib -> "incremental/libs/" + lib.getFileName()).toList();
	}

	private static void copy(String from, String to) {
		aws.s3.copyObject(b -> b.sourceBucket(AwsLocal.BUCKET).sourceKey(from).destinationBucket(AwsLocal.BUCKET)
			.destinationKey(to));
	}

	/** Launches a rescan through the launch queue and waits for it to complete; its job instance id. */
	private static long run(String rules, boolean full) {
		String requestId = "incremental-" + rules + "-" + full + "-" + System.nanoTime();
		aws.send(new LaunchMessage(1, "rescan", requestId, SOURCE,
				"s3://" + AwsLocal.BUCKET + "/incremental-rules/" + rules + ".yar", null, full).toJson());
		JobStatus status = aws.awaitEnded(requestId);
		assertThat(status.status()).as(status.exitDescription()).isEqualTo("COMPLETED");
		return status.jobInstanceId();
	}

	/** Every stored result of a job, comparable with another job's ({@link ComparableResults#of}). */
	private static Map<String, Object> results(long job) {
		return ComparableResults.of(events(), job);
	}

	private static EventStore events() {
		return aws.context.getBean(EventStore.class);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(String json) {
		return JSON.readValue(json, LinkedHashMap.class);
	}
}
