package io.trawl.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.jobs.aws.AwsStack;
import io.trawl.jobs.aws.MarkedAnalyzer;
import io.trawl.jobs.status.JobStatus;

/**
 * Monitoring that fails does not fail the work: with CloudWatch and Auto Scaling unreachable (their endpoints on a
 * loopback port nobody listens on), a rescan whose partitions run from the queue still COMPLETES, and the failed
 * calls are in the log, each as one line: the failed PutMetricData of Micrometer's CloudWatch registry (publishing
 * every second here), and the failed scale-in protection.
 */
class MonitoringOutageFunctionalTests {

	@TempDir
	static Path dataDir;
	static AwsStack aws;

	@BeforeAll
	static void start() throws IOException {
		String nobody = "http://127.0.0.1:" + closedPort();
		aws = AwsStack.start(dataDir, List.of(), local -> List.of(
				"--trawl.partitioning=remote", "--trawl.role=all",
				"--trawl.partitions.queue-url="
						+ local.sqs().createQueue(b -> b.queueName("trawl-partitions")).queueUrl(),
				"--trawl.partitions.poll-interval=200ms", "--trawl.partitions.wait-time=1s",
				"--trawl.analysis.extra-analyzers=" + MarkedAnalyzer.class.getName(),
				"--management.cloudwatch.metrics.export.namespace=Trawl",
				"--management.cloudwatch.metrics.export.step=1s",
				"--trawl.aws.endpoints.cloudwatch=" + nobody, "--trawl.aws.endpoints.autoscaling=" + nobody,
				"--trawl.aws.worker-group=trawl-worker", "--trawl.aws.instance-id=i-0123456789abcdef0"));
	}

	@AfterAll
	static void stop() {
		if (aws != null) {
			aws.close();
		}
	}

	@Test
	void aJobCompletesWhileCloudWatchAndAutoScalingAreUnreachable() throws IOException, InterruptedException {
		aws.put("outage/a.txt", MarkedAnalyzer.ERROR + " with CloudWatch down");
		aws.put("outage/b.txt", "a clean sample");
		aws.put("rules/outage.yar", "rule outage { strings: $m = \"OUTAGE\" condition: $m }\n");

		aws.send(AwsStack.launchMessage("outage-1", "s3://trawl-samples/outage/",
				"s3://trawl-samples/rules/outage.yar"));

		JobStatus status = aws.awaitEnded("outage-1");
		assertThat(status.status()).isEqualTo("COMPLETED");
		assertThat(status.errors()).isEqualTo(1);
		// the registry publishes in the background, every step, and logs what failed
		List<String> warnings = List.of("metric data points to CloudWatch namespace Trawl failed; they are dropped",
				"Setting the scale-in protection of instance i-0123456789abcdef0 in trawl-worker to true failed");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		String log = Files.readString(dataDir.resolve("trawl.log"));
		while (!warnings.stream().allMatch(log::contains) && System.nanoTime() < deadline) {
			Thread.sleep(100);
			log = Files.readString(dataDir.resolve("trawl.log"));
		}
		assertThat(log).contains(warnings);
		// and not Micrometer's own ERROR with a stack trace at every step
		assertThat(log).doesNotContain("error sending metric data");
	}

	/** A loopback port that was free a moment ago: connections to it are refused. */
	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}
}
