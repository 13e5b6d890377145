package io.trawl.jobs.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trawl.jobs.aws.AwsStack;
import io.trawl.jobs.web.GatedAnalyzerControl;

/**
 * With every launch slot busy, a launch message waits on the queue (not the DLQ) and runs once a slot is free.
 */
class SqsLaunchLimitFunctionalTests {

	@TempDir
	static Path dataDir;
	static AwsStack aws;

	@BeforeAll
	static void start() {
		aws = AwsStack.start(dataDir, List.of(), "--trawl.launch.max-running=1", "--trawl.launch.retry-after=1s",
				"--trawl.analysis.extra-analyzers=io.trawl.jobs.web.GatedAnalyzer");
	}

	@AfterAll
	static void stop() {
		GatedAnalyzerControl.open();
		if (aws != null) {
			aws.close();
		}
	}

	@Test
	void aMessagePastTheLimitWaitsOnTheQueueAndRunsWhenASlotIsFree() {
		aws.put("held/gate.bin", GatedAnalyzerControl.MARKER + " hold the only slot");
		aws.put("waiting/a.txt", "a sample that waits its turn");
		aws.put("rules/limit.yar", AwsStack.RULE);
		GatedAnalyzerControl.close();
		try {
			aws.send(AwsStack.launchMessage("limit-held", "s3://trawl-samples/held/",
					"s3://trawl-samples/rules/limit.yar"));
			await().atMost(Duration.ofSeconds(60)).until(() -> GatedAnalyzerControl.held() > 0);

			aws.send(AwsStack.launchMessage("limit-waiting", "s3://trawl-samples/waiting/",
					"s3://trawl-samples/rules/limit.yar"));

			// it stays on the queue, unlaunched, while the slot is held: for 4 s on end, once the held job's own message
			// is deleted (which a loaded machine may take seconds to get to)
			await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(30))
				.until(() -> aws.launchQueueDepth() == 1 && aws.executions("limit-waiting").isEmpty());
		}
		finally {
			GatedAnalyzerControl.open();
		}
		assertThat(aws.awaitEnded("limit-held").status()).isEqualTo("COMPLETED");
		assertThat(aws.awaitEnded("limit-waiting").status()).isEqualTo("COMPLETED");
		assertThat(aws.dlqMessages()).isEmpty();
		assertThat(aws.executions("limit-waiting")).hasSize(1);
	}
}
