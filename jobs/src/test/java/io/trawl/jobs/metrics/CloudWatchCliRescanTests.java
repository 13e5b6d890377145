package io.trawl.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

import io.trawl.devtools.AwsLocal;
import io.trawl.jobs.aws.MarkedAnalyzer;
import io.trawl.jobs.aws.MotoServer;
import io.trawl.jobs.cli.CliRunner;

/**
 * A one-shot {@code trawl rescan} in the aws profile publishes its job's end before it exits: the CloudWatch
 * registry's step is an hour here, so no scheduled publication happens while the command runs, and only the close of
 * its context can have sent what moto then holds. The command runs as {@code ./trawl} runs it (its main class, lazy
 * context), on the emulators of {@code trawl aws-local} and moto's CloudWatch.
 */
class CloudWatchCliRescanTests {

	static final String NAMESPACE = "TrawlCli";

	@TempDir
	static Path dataDir;
	static AwsLocal local;
	static MotoServer moto;
	static CloudWatchClient cloudWatch;

	@BeforeAll
	static void start() {
		System.setProperty("aws.accessKeyId", AwsLocal.ACCESS_KEY);
		System.setProperty("aws.secretAccessKey", AwsLocal.SECRET_KEY);
		moto = MotoServer.start();
		cloudWatch = moto.configure(CloudWatchClient.builder()).build();
		local = AwsLocal.start(AwsLocal.Settings.transientOnFreePorts());
		put("rules/cli.yar", "rule cli_marker { strings: $m = \"CLI-MARKER\" condition: $m }\n");
	}

	@AfterAll
	static void stop() {
		for (AutoCloseable closeable : new AutoCloseable[] { local, cloudWatch, moto }) {
			try {
				if (closeable != null) {
					closeable.close();
				}
			}
			catch (Exception e) {
				// the others are closed anyway
			}
		}
	}

	@Test
	void aFailedOneShotRescanPublishesJobsFailedOneAsItsContextCloses() {
		// given a sample that fails its partition, and nothing published yet
		put("cli-fatal/a.txt", MarkedAnalyzer.FATAL);
		assertThat(cloudWatch.listMetrics(b -> b.namespace(NAMESPACE)).metrics()).isEmpty();

		// when trawl rescan runs to its end, and returns
		CliRunner.Run run = rescan("s3://trawl-samples/cli-fatal/");

		// then the job FAILED, and moto already has JobsFailed 1 and WorkerErrors 1, without dimensions
		assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
		assertThat(run.lastLine()).contains("\"status\":\"FAILED\"");
		assertThat(sum("JobsFailed")).isEqualTo(1.0);
		assertThat(sum("WorkerErrors")).isEqualTo(1.0);
		List<Metric> metrics = cloudWatch.listMetrics(b -> b.namespace(NAMESPACE)).metrics();
		assertThat(metrics).extracting(Metric::metricName).containsExactlyInAnyOrder("JobsFailed", "WorkerErrors");
		assertThat(metrics).allSatisfy(m -> assertThat(m.dimensions()).isEmpty());
	}

	private static CliRunner.Run rescan(String source) {
		return CliRunner.run(Map.of(), "rescan", "--source=" + source, "--rules=s3://trawl-samples/rules/cli.yar",
				"--spring.profiles.active=aws", "--trawl.data-dir=" + dataDir,
				"--spring.datasource.url=jdbc:h2:mem:cli-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"--trawl.aws.region=" + AwsLocal.REGION,
				"--trawl.aws.endpoints.s3=" + local.s3Endpoint(),
				"--trawl.aws.endpoints.sqs=" + local.sqsEndpoint(),
				"--trawl.aws.endpoints.dynamodb=" + local.dynamoDbEndpoint(),
				"--trawl.aws.endpoints.cloudwatch=" + moto.endpoint(),
				"--trawl.sources.allowed=s3://trawl-samples/",
				"--trawl.analysis.extra-analyzers=" + MarkedAnalyzer.class.getName(),
				"--management.cloudwatch.metrics.export.namespace=" + NAMESPACE,
				"--management.cloudwatch.metrics.export.step=1h");
	}

	private static void put(String key, String content) {
		local.s3().putObject(b -> b.bucket(AwsLocal.BUCKET).key(key), RequestBody.fromString(content));
	}

	/** The metric's sum over the last and the next hour, read with GetMetricData. */
	private static double sum(String metric) {
		Instant now = Instant.now();
		MetricDataQuery query = MetricDataQuery.builder().id("sum")
			.metricStat(s -> s.metric(m -> m.namespace(NAMESPACE).metricName(metric)).period(7200).stat("Sum"))
			.build();
		List<MetricDataResult> results = cloudWatch.getMetricData(b -> b.startTime(now.minus(Duration.ofHours(1)))
			.endTime(now.plus(Duration.ofHours(1))).metricDataQueries(query)).metricDataResults();
		return results.stream().flatMap(r -> r.values().stream()).mapToDouble(v -> v).sum();
	}
}
