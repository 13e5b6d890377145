package io.trawl.jobs.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import tools.jackson.databind.json.JsonMapper;

import io.trawl.devtools.AwsLocal;
import io.trawl.jobs.rescan.RescanLauncher;
import io.trawl.readmodel.query.SampleView;
import io.trawl.worker.source.SampleSourceException;
import io.trawl.worker.source.s3.S3ClientSettings;

/**
 * Bad input in S3: a missing bucket is refused with one sentence before any job starts; a 0-byte object, an object
 * deleted between the listing and the read, and one above the maximum sample size each leave a result row (an error
 * where it could not be read) and the job COMPLETES: nothing listed is lost.
 */
class S3BadInputFunctionalTests {

	static final String VANISHING = "bad/vanishing.bin";
	static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path dataDir;
	static AwsStack aws;
	static final AtomicBoolean vanished = new AtomicBoolean();

	@BeforeAll
	static void start() {
		aws = AwsStack.start(dataDir, List.of(VanishingObject.class), "--trawl.aws.max-sample-size=1MB");
	}

	@AfterAll
	static void stop() {
		if (aws != null) {
			aws.close();
		}
	}

	@Test
	void aMissingBucketIsRefusedWithOneSentence() {
		RescanLauncher launcher = aws.context.getBean(RescanLauncher.class);
		assertThatThrownBy(() -> launcher.run(new RescanLauncher.Request("s3://trawl-no-such-bucket/x", null,
				"missing-bucket", null)))
			.isInstanceOf(SampleSourceException.class)
			.hasMessageContaining("The bucket trawl-no-such-bucket does not exist");
		assertThat(aws.executions("missing-bucket")).isEmpty();
	}

	@Test
	void emptyVanishingAndOversizedObjectsAreRecordedAndTheJobCompletes() throws Exception {
		aws.put("bad/empty.bin", new byte[0]);
		aws.put(VANISHING, "here when listed".getBytes(StandardCharsets.UTF_8));
		aws.put("bad/oversized.bin", new byte[1024 * 1024 + 1]);
		aws.put("bad/fine.txt", "a fine sample");
		aws.put("rules/bad-input.yar", AwsStack.RULE);

		JobExecution execution = aws.context.getBean(RescanLauncher.class)
			.run(new RescanLauncher.Request("s3://trawl-samples/bad/", "s3://trawl-samples/rules/bad-input.yar",
					"bad-input-1", null));

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(vanished).isTrue();
		List<SampleView> rows = new ArrayList<>();
		aws.status().results(execution.getId(), rows::add);
		Map<String, String> byLocation = rows.stream().collect(Collectors.toMap(
				row -> location(row.document()), SampleView::document));
		assertThat(byLocation).containsOnlyKeys("bad/empty.bin", VANISHING, "bad/oversized.bin", "bad/fine.txt");
		assertThat(byLocation.get(VANISHING)).contains("no longer exists");
		assertThat(byLocation.get("bad/oversized.bin")).contains("more than the maximum sample size");
		assertThat(rows).filteredOn(row -> "bad/empty.bin".equals(location(row.document())))
			.singleElement()
			.satisfies(row -> assertThat(row.sha256()).isEqualTo(AwsStack.sha256(new byte[0])));
		var status = aws.status().get(execution.getId()).orElseThrow();
		assertThat(status.errors()).isEqualTo(2);
		assertThat(status.samples()).isGreaterThanOrEqualTo(2);
	}

	/** Where a result row's sample was read from: its source location, or the location of an unreadable one. */
	static String location(String document) {
		var node = JSON.readTree(document);
		if (node.hasNonNull("location")) {
			return node.get("location").asString();
		}
		String text = node.toString();
		for (String key : List.of("bad/empty.bin", VANISHING, "bad/oversized.bin", "bad/fine.txt")) {
			if (text.contains(key)) {
				return key;
			}
		}
		return text;
	}

	/**
	 * The service's S3 client, configured as in the aws profile (plus a 1 MiB maximum sample size), which deletes
	 * {@value #VANISHING} from S3 just before the job reads it: the object disappears between listing and reading.
	 */
	static class VanishingObject {

		@Bean
		@Primary
		S3Client vanishingS3Client(AwsProperties properties) {
			java.net.URI endpoint = java.net.URI.create(properties.endpoints().s3());
			ExecutionInterceptor deleteBeforeRead = new ExecutionInterceptor() {
				@Override
				public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
					if (context.request() instanceof GetObjectRequest get && get.key().equals(VANISHING)
							&& vanished.compareAndSet(false, true)) {
						try (S3Client other = new S3ClientSettings(AwsLocal.REGION, endpoint, true, 3).build()) {
							other.deleteObject(b -> b.bucket(get.bucket()).key(get.key()));
						}
					}
				}
			};
			return new S3ClientSettings(AwsLocal.REGION, endpoint, true, 3).builder()
				.overrideConfiguration(o -> o.retryStrategy(S3ClientSettings.retryStrategy(3))
					.addExecutionInterceptor(deleteBeforeRead))
				.build();
		}

	}
}
