package io.trawl.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

import io.trawl.jobs.partition.PartitionQueueListener;
import io.trawl.jobs.aws.AwsStack;
import io.trawl.jobs.aws.MarkedAnalyzer;
import io.trawl.jobs.aws.MotoServer;
import io.trawl.jobs.status.JobStatus;

/**
 * What the monitoring of docs/deploy.md relies on, through the real APIs on moto (CloudWatch, Auto Scaling) with the
 * aws profile on S3Proxy, ElasticMQ and dynalite: one process that launches rescans and runs their partitions from
 * the partitions queue ({@code trawl.role=all}, {@code trawl.partitioning=remote}), in an Auto Scaling group of one
 * instance. Micrometer's CloudWatch registry publishes every second here ({@code step=1s}), and a common tag is
 * configured that must not become a dimension of the alarm metrics. Metric sums are compared before and after each
 * job, since the tests share moto; metrics are read back with GetMetricData and ListMetrics.
 */
class MonitoringFunctionalTests {

	static final String NAMESPACE = "Trawl";
	static final String GROUP = "trawl-worker";
	static final String RULES = "s3://trawl-samples/rules/monitoring.yar";

	@TempDir
	static Path dataDir;
	static MotoServer moto;
	static AutoScalingClient autoScaling;
	static CloudWatchClient cloudWatch;
	static String instanceId;
	static boolean protectedBeforeStart;
	static boolean protectedAfterStart;
	static AwsStack aws;

	@BeforeAll
	static void start() {
		moto = MotoServer.start();
		autoScaling = moto.configure(AutoScalingClient.builder()).build();
		cloudWatch = moto.configure(CloudWatchClient.builder()).build();
		autoScaling.createLaunchConfiguration(b -> b.launchConfigurationName(GROUP).imageId("ami-12c6146b")
			.instanceType("t3.micro"));
		// as a JVM that died mid-partition would leave it: protected, with nothing running
		autoScaling.createAutoScalingGroup(b -> b.autoScalingGroupName(GROUP).launchConfigurationName(GROUP)
			.minSize(1).maxSize(1).desiredCapacity(1).availabilityZones("us-east-1a")
			.newInstancesProtectedFromScaleIn(true));
		instanceId = autoScaling.describeAutoScalingInstances(b -> b.maxRecords(10)).autoScalingInstances().stream()
			.filter(i -> i.autoScalingGroupName().equals(GROUP)).findFirst().orElseThrow().instanceId();
		protectedBeforeStart = isProtected();
		aws = AwsStack.start(dataDir, List.of(), local -> List.of(
				"--trawl.partitioning=remote", "--trawl.role=all",
				"--trawl.partitions.queue-url="
						+ local.sqs().createQueue(b -> b.queueName("trawl-partitions")).queueUrl(),
				"--trawl.partitions.poll-interval=200ms", "--trawl.partitions.wait-time=1s",
				"--trawl.partitions.timeout=90s", "--trawl.analysis.threads=2",
				"--trawl.analysis.extra-analyzers=" + MarkedAnalyzer.class.getName(),
				"--management.cloudwatch.metrics.export.namespace=Trawl",
				"--management.cloudwatch.metrics.export.step=1s",
				"--management.metrics.tags.deployment=monitoring-tests",
				"--trawl.aws.endpoints.cloudwatch=" + moto.endpoint(),
				"--trawl.aws.endpoints.autoscaling=" + moto.endpoint(),
				"--trawl.aws.worker-group=" + GROUP, "--trawl.aws.instance-id=" + instanceId));
		protectedAfterStart = isProtected();
		aws.put("rules/monitoring.yar", "rule monitoring_marker { strings: $m = \"MONITORING\" condition: $m }\n");
	}

	@AfterAll
	static void stop() {
		for (AutoCloseable closeable : new AutoCloseable[] { aws, autoScaling, cloudWatch, moto }) {
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
	void aFailedJobPublishesJobsFailedOneAndItsFailedPartitionAWorkerError() {
		// given a sample that fails its partition
		Totals jobsFailed = totals("JobsFailed");
		Totals workerErrors = totals("WorkerErrors");
		aws.put("fatal/a.txt", MarkedAnalyzer.FATAL);

		// when the job runs
		aws.send(AwsStack.launchMessage("fatal-1", "s3://trawl-samples/fatal/", RULES));

		// then it ends FAILED, and CloudWatch's JobsFailed sums one more, WorkerErrors one more (the partition)
		assertThat(aws.awaitEnded("fatal-1").status()).isEqualTo("FAILED");
		await().atMost(Duration.ofSeconds(15)).until(() -> totals("JobsFailed").sum() == jobsFailed.sum() + 1);
		await().atMost(Duration.ofSeconds(15)).until(() -> totals("WorkerErrors").sum() == workerErrors.sum() + 1);
		// and no more than that, however many steps are published after the job's end
		awaitFurtherSteps("JobsFailed", 3);
		assertThat(totals("JobsFailed").sum()).isEqualTo(jobsFailed.sum() + 1);
		assertThat(totals("WorkerErrors").sum()).isEqualTo(workerErrors.sum() + 1);
		// as the alarms watch them: without dimensions, though a common tag is configured, and nothing else published
		List<Metric> metrics = cloudWatch.listMetrics(b -> b.namespace(NAMESPACE)).metrics();
		assertThat(metrics).extracting(Metric::metricName).containsOnly("JobsFailed", "WorkerErrors")
			.contains("JobsFailed", "WorkerErrors");
		assertThat(metrics).allSatisfy(m -> assertThat(m.dimensions()).isEmpty());
	}

	@Test
	void aJobWhoseSamplesHaveErrorsPublishesTheirCountAsWorkerErrorsAndJobsFailedZero() {
		// given two samples an analyzer fails on, and a clean one
		Totals jobsFailed = totals("JobsFailed");
		Totals workerErrors = totals("WorkerErrors");
		aws.put("errors/a.txt", MarkedAnalyzer.ERROR + " first");
		aws.put("errors/b.txt", MarkedAnalyzer.ERROR + " second");
		aws.put("errors/c.txt", "a clean sample, MONITORING");

		// when the job runs
		aws.send(AwsStack.launchMessage("errors-1", "s3://trawl-samples/errors/", RULES));

		// then it COMPLETES with two errors, and WorkerErrors grows by two
		JobStatus status = aws.awaitEnded("errors-1");
		assertThat(status.status()).isEqualTo("COMPLETED");
		assertThat(status.errors()).isEqualTo(2);
		await().atMost(Duration.ofSeconds(15)).until(() -> totals("WorkerErrors").sum() == workerErrors.sum() + 2);
		// and JobsFailed keeps getting data points after the job's end, all 0: the alarm has data and stays OK
		awaitFurtherSteps("JobsFailed", 3);
		assertThat(totals("JobsFailed").sum()).isEqualTo(jobsFailed.sum());
		assertThat(totals("WorkerErrors").sum()).isEqualTo(workerErrors.sum() + 2);
	}

	@Test
	void aStartingWorkerLiftsTheProtectionThatADeadJvmLeft() {
		assertThat(protectedBeforeStart).as("the instance starts protected, as a JVM that died mid-partition leaves it")
			.isTrue();
		assertThat(protectedAfterStart).as("protected once the worker has started").isFalse();
	}

	@Test
	void theInstanceIsProtectedFromScaleInWhileAnyPartitionRuns() {
		// given an idle worker
		await().atMost(Duration.ofSeconds(30)).until(() -> !isProtected());
		long ran = aws.context.getBean(PartitionQueueListener.class).partitionsRun();
		aws.put("hold/a.txt", MarkedAnalyzer.HOLD + "a");
		aws.put("hold/b.txt", MarkedAnalyzer.HOLD + "b");
		try {
			// when a job's two partitions run at once
			aws.send(AwsStack.launchMessage("hold-1", "s3://trawl-samples/hold/", RULES));
			await().atMost(Duration.ofSeconds(30)).until(() -> MarkedAnalyzer.holding().equals(Set.of("a", "b")));

			// then the instance is protected until both have ended
			assertThat(isProtected()).as("protected while two partitions run").isTrue();
			MarkedAnalyzer.release("a");
			await().atMost(Duration.ofSeconds(30))
				.until(() -> aws.context.getBean(PartitionQueueListener.class).partitionsRun() == ran + 1);
			sleep(Duration.ofMillis(500));
			assertThat(isProtected()).as("protected while the second partition runs").isTrue();
			MarkedAnalyzer.release("b");
			assertThat(aws.awaitEnded("hold-1").status()).isEqualTo("COMPLETED");
			await().atMost(Duration.ofSeconds(10)).until(() -> !isProtected());
		}
		finally {
			// a failed assertion must not leave partitions held for the other tests
			MarkedAnalyzer.release("a");
			MarkedAnalyzer.release("b");
		}
	}

	static boolean isProtected() {
		return autoScaling.describeAutoScalingInstances(b -> b.instanceIds(instanceId)).autoScalingInstances().get(0)
			.protectedFromScaleIn();
	}

	record Totals(double sum, double count) {
	}

	/** The metric's sum and number of data points over the last and the next hour, read with GetMetricData. */
	static Totals totals(String metric) {
		Instant now = Instant.now();
		Map<String, Double> totals = cloudWatch.getMetricData(b -> b.startTime(now.minus(Duration.ofHours(1)))
			.endTime(now.plus(Duration.ofHours(1)))
			.metricDataQueries(query("sum", metric, "Sum"), query("count", metric, "SampleCount")))
			.metricDataResults().stream()
			.collect(Collectors.toMap(MetricDataResult::id, r -> r.values().stream().mapToDouble(v -> v).sum()));
		return new Totals(totals.getOrDefault("sum", 0.0), totals.getOrDefault("count", 0.0));
	}

	private static MetricDataQuery query(String id, String metric, String stat) {
		return MetricDataQuery.builder().id(id)
			.metricStat(s -> s.metric(m -> m.namespace(NAMESPACE).metricName(metric)).period(7200).stat(stat))
			.build();
	}

	/** Waits until the registry has published the metric this many more times (steps of 1 s). */
	static void awaitFurtherSteps(String metric, int steps) {
		double published = totals(metric).count();
		await().atMost(Duration.ofSeconds(15)).until(() -> totals(metric).count() >= published + steps);
	}

	static void sleep(Duration pause) {
		try {
			Thread.sleep(pause.toMillis());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
