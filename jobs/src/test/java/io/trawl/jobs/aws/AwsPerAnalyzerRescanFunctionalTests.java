package io.trawl.jobs.aws;

import static io.trawl.jobs.rescan.ComparableResults.document;
import static io.trawl.jobs.rescan.ComparableResults.provenance;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.devtools.AwsLocal;
import io.trawl.jobs.launch.LaunchMessage;
import io.trawl.jobs.rescan.ComparableResults;
import io.trawl.jobs.rescan.VersionedTestAnalyzers;
import io.trawl.jobs.status.JobStatus;
import io.trawl.readmodel.event.EventStore;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * A changed analyzer re-runs alone on the aws profile too: samples in S3 (S3Proxy), events and manifests in DynamoDB
 * (dynalite), launches from SQS (ElasticMQ), with the test analyzers of {@link VersionedTestAnalyzers} added to the
 * pipeline. After {@code bumped}'s version changes, the incremental rescan (with a changed ruleset as well) runs it on
 * every content and the unchanged {@code steady} only on the archive and its members, and stores what a
 * {@code --full} rescan stores but for job ids, times and provenance.
 */
class AwsPerAnalyzerRescanFunctionalTests {

	private static final String SOURCE = "s3://" + AwsLocal.BUCKET + "/per-analyzer/";

	private static final String R1 = """
			rule Hello { strings: $h = "hello" condition: $h }
			rule Mz { condition: uint16(0) == 0x5A4D }
			""";

	private static final String R2 = R1 + """
			rule World { strings: $w = "world" condition: $w }
			""";

	@TempDir
	static Path dataDir;
	static AwsStack aws;

	@BeforeAll
	static void start() {
		aws = AwsStack.start(dataDir, List.of(), "--trawl.analysis.extra-analyzers="
				+ "io.trawl.jobs.rescan.VersionedTestAnalyzers$Bumped,io.trawl.jobs.rescan.VersionedTestAnalyzers$Dependent,"
				+ "io.trawl.jobs.rescan.VersionedTestAnalyzers$Steady");
	}

	@AfterAll
	static void stop() {
		VersionedTestAnalyzers.bumpedVersion = "1";
		if (aws != null) {
			aws.close();
		}
	}

	@Test
	void givenOneAnalyzerBumpedAndNewRules_whenRescannedIncrementally_thenOnlyWhatChangedRunsAndTheResultEqualsAFullOne() {
		aws.put("per-analyzer/pe.exe", TestCorpus.pe32());
		aws.put("per-analyzer/lib.so", TestCorpus.elf64());
		aws.put("per-analyzer/bundle.zip", TestCorpus.zip(Map.of("inner.txt",
				"hello from the zip\n".getBytes(StandardCharsets.US_ASCII), "inner.exe", TestCorpus.truncatedPe())));
		aws.put("per-analyzer/a.txt", "hello world\n");
		aws.put("per-analyzer/empty", new byte[0]);
		aws.put("per-analyzer-rules/r1.yar", R1);
		aws.put("per-analyzer-rules/r2.yar", R2);
		VersionedTestAnalyzers.bumpedVersion = "1";
		long first = run("r1", false);

		VersionedTestAnalyzers.bumpedVersion = "2";
		VersionedTestAnalyzers.RUNS.clear();
		long incremental = run("r2", false);
		int bumpedRuns = VersionedTestAnalyzers.RUNS.get("bumped").get();
		int steadyRuns = VersionedTestAnalyzers.RUNS.get("steady").get();
		long full = run("r2", true);

		assertThat(bumpedRuns).as("on every content: 5 files and 2 members").isEqualTo(7);
		assertThat(steadyRuns).as("on the archive and its members, analysed in full").isEqualTo(3);
		assertThat(ComparableResults.of(events(), incremental)).isEqualTo(ComparableResults.of(events(), full))
			.isNotEmpty();
		Map<String, Object> text = document(events(), incremental, "per-analyzer/a.txt");
		assertThat(provenance(text, "steady")).isEqualTo(first);
		assertThat(provenance(text, "tlsh")).isEqualTo(first);
		assertThat(provenance(text, "bumped")).isEqualTo(incremental);
		assertThat(provenance(text, "dependent")).isEqualTo(incremental);
		assertThat(provenance(text, "yara")).as("the delta scanned").isEqualTo(incremental);
		assertThat(text).doesNotContainKey("bumpedV1");
		assertThat(text.get("yara")).asList().containsExactly("Hello", "World");
	}

	private static long run(String rules, boolean full) {
		String requestId = "per-analyzer-" + rules + "-" + full + "-" + System.nanoTime();
		aws.send(new LaunchMessage(1, "rescan", requestId, SOURCE,
				"s3://" + AwsLocal.BUCKET + "/per-analyzer-rules/" + rules + ".yar", null, full).toJson());
		JobStatus status = aws.awaitEnded(requestId);
		assertThat(status.status()).as(status.exitDescription()).isEqualTo("COMPLETED");
		return status.jobInstanceId();
	}

	private static EventStore events() {
		return aws.context.getBean(EventStore.class);
	}
}
