package io.trawl.worker.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

import io.trawl.worker.source.Sample;
import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSourceException;

class S3SampleSourceTests {

	private static final String BUCKET = "samples";
	private static final List<String> KEYS = List.of("batch/a.exe", "batch/b.elf", "batch/c.txt", "batch/d/e.zip",
			"batch/d/f.pdf", "batch/empty.bin", "batch/g.sh", "batch/large.bin");
	private static final byte[] LARGE = new byte[200_000];

	private static EmbeddedS3 embedded;
	private static S3Client s3;

	@TempDir
	Path spool;

	@BeforeAll
	static void givenABucketOfSamples() throws Exception {
		embedded = EmbeddedS3.start();
		s3 = embedded.client();
		s3.createBucket(b -> b.bucket(BUCKET));
		new Random(42).nextBytes(LARGE);
		for (String key : KEYS) {
			byte[] content = switch (key) {
				case "batch/empty.bin" -> new byte[0];
				case "batch/large.bin" -> LARGE;
				default -> ("content of " + key).getBytes(StandardCharsets.UTF_8);
			};
			EmbeddedS3.put(s3, BUCKET, key, content);
		}
		EmbeddedS3.put(s3, BUCKET, "batch/d/", new byte[0]); // a console-made folder marker
		EmbeddedS3.put(s3, BUCKET, "other/outside.bin", "not listed".getBytes(StandardCharsets.UTF_8));
	}

	@AfterAll
	static void stop() throws Exception {
		s3.close();
		embedded.close();
	}

	private S3SampleSource source(long inMemoryLimit, long maxSampleSize) {
		return new S3SampleSource(s3, S3Location.parse("s3://" + BUCKET + "/batch/"), inMemoryLimit, maxSampleSize, 2,
				spool);
	}

	@Test
	void listsEveryKeyUnderThePrefixAcrossPagesInKeyOrderWithoutFolderMarkers() {
		try (Stream<SampleRef> refs = source(1 << 20, 1 << 20).list(null)) {
			assertThat(refs.map(SampleRef::location).toList()).containsExactlyElementsOf(KEYS);
		}
		assertThat(source(1, 1).list(null).filter(r -> r.location().equals("batch/large.bin")).findFirst())
			.hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(LARGE.length));
		assertThat(source(1, 1).describe()).isEqualTo("s3://samples/batch/");
	}

	@Test
	void resumesStrictlyAfterTheGivenLocation() {
		assertThat(source(1 << 20, 1 << 20).list("batch/c.txt").map(SampleRef::location).toList())
			.containsExactlyElementsOf(KEYS.subList(3, KEYS.size()));
		assertThat(source(1 << 20, 1 << 20).list("batch/large.bin").toList()).isEmpty();
	}

	@Test
	void fetchesPagesOnlyAsTheStreamReachesThem() {
		AtomicInteger listings = new AtomicInteger();
		ExecutionInterceptor counter = new ExecutionInterceptor() {
			@Override
			public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
				if (context.request() instanceof ListObjectsV2Request) {
					listings.incrementAndGet();
				}
			}
		};
		try (S3Client counted = embedded.builder().overrideConfiguration(o -> o.addExecutionInterceptor(counter))
			.build()) {
			S3SampleSource source = new S3SampleSource(counted, S3Location.parse("s3://samples/batch/"), 1, 1 << 20, 2,
					spool);

			assertThat(source.list(null).limit(3).toList()).hasSize(3);
			assertThat(listings).hasValue(2);
		}
	}

	@Test
	void smallObjectsAreReadIntoMemory() throws IOException {
		S3SampleSource source = source(1024, 1 << 20);

		try (Sample sample = source.open(new SampleRef("batch/a.exe", 0))) {
			assertThat(sample.name()).isEqualTo("batch/a.exe");
			assertThat(sample.file()).isEmpty();
			assertThat(sample.bytes()).hasValueSatisfying(
					bytes -> assertThat(StandardCharsets.UTF_8.decode(bytes).toString()).isEqualTo("content of batch/a.exe"));
		}
		assertThat(spool).isEmptyDirectory();
	}

	@Test
	void aZeroByteObjectIsAnEmptySample() throws IOException {
		try (Sample sample = source(1024, 1 << 20).open(new SampleRef("batch/empty.bin", 0))) {
			assertThat(sample.size()).isZero();
			assertThat(sample.head(16)).isEmpty();
			assertThat(sample.bytes()).hasValueSatisfying(bytes -> assertThat(bytes.remaining()).isZero());
		}
	}

	@Test
	void anObjectAboveTheInMemoryLimitIsStreamedToATemporaryFileDeletedOnClose() throws IOException {
		Path file;
		try (Sample sample = source(64 * 1024, 1 << 20).open(new SampleRef("batch/large.bin", LARGE.length))) {
			assertThat(sample.size()).isEqualTo(LARGE.length);
			assertThat(sample.bytes()).isEmpty();
			file = sample.file().orElseThrow();
			assertThat(file.getParent()).isEqualTo(spool);
			assertThat(Files.readAllBytes(file)).isEqualTo(LARGE);
			ByteBuffer all = ByteBuffer.allocate(LARGE.length);
			sample.forEachBlock(all::put);
			assertThat(all.array()).isEqualTo(LARGE);
		}
		assertThat(file).doesNotExist();
		assertThat(spool).isEmptyDirectory();
	}

	@Test
	void anObjectOverTheMaximumSampleSizeFailsNamingTheObject() {
		S3SampleSource source = source(1024, 100_000);

		assertThatThrownBy(() -> source.open(new SampleRef("batch/large.bin", LARGE.length)))
			.isInstanceOf(IOException.class)
			.hasMessageContaining("s3://samples/batch/large.bin is 200000 bytes")
			.hasMessageContaining("maximum sample size of 100000 bytes");
		// the listing may be stale: the size S3 reports on GET is checked too
		assertThatThrownBy(() -> source.open(new SampleRef("batch/large.bin", 10)))
			.isInstanceOf(IOException.class)
			.hasMessageContaining("s3://samples/batch/large.bin is 200000 bytes");
		assertThat(spool).isEmptyDirectory();
	}

	@Test
	void anObjectDeletedSinceTheListingFailsNamingTheObject() {
		assertThatThrownBy(() -> source(1024, 1 << 20).open(new SampleRef("batch/gone.bin", 3)))
			.isInstanceOf(IOException.class)
			.hasMessage("The object s3://samples/batch/gone.bin no longer exists; it was deleted after the listing.");
	}

	@Test
	void aMissingBucketFailsWithOneSentenceNamingIt() {
		S3SampleSource source = new S3SampleSource(s3, S3Location.parse("s3://no-such-bucket/x/"), 1024, 1 << 20);

		assertThatThrownBy(() -> source.list(null))
			.isInstanceOf(SampleSourceException.class)
			.hasMessageStartingWith("The bucket no-such-bucket does not exist or is not readable")
			.hasMessageContaining("NoSuchBucket");
	}

	@Test
	void throttlingAndServerErrorsAreRetriedWithBackoff() throws Exception {
		AtomicInteger requests = new AtomicInteger();
		HttpServer flaky = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		flaky.createContext("/", exchange -> {
			exchange.getRequestBody().readAllBytes();
			int n = requests.incrementAndGet();
			String body;
			if (n == 1) {
				body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
				exchange.sendResponseHeaders(503, body.length());
			}
			else if (n == 2) {
				body = "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>";
				exchange.sendResponseHeaders(500, body.length());
			}
			else {
				body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult "
						+ "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>samples</Name><Prefix></Prefix>"
						+ "<KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
						+ "<Contents><Key>only.bin</Key><Size>3</Size></Contents></ListBucketResult>";
				exchange.sendResponseHeaders(200, body.length());
			}
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body.getBytes(StandardCharsets.UTF_8));
			}
		});
		flaky.start();
		URI endpoint = URI.create("http://127.0.0.1:" + flaky.getAddress().getPort());
		try (S3Client client = new S3ClientSettings("us-east-1", endpoint, true, 3).builder()
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
			.build()) {
			S3SampleSource source = new S3SampleSource(client, S3Location.parse("s3://samples"), 1024, 1024);

			assertThat(source.list(null).toList()).containsExactly(new SampleRef("only.bin", 3));
			assertThat(requests).hasValue(3);
		}
		finally {
			flaky.stop(0);
		}
	}

	@Test
	void openStreamReadsTheWholeContentOfASpooledSample() throws IOException {
		try (Sample sample = source(1024, 1 << 20).open(new SampleRef("batch/large.bin", LARGE.length));
				InputStream in = sample.openStream()) {
			assertThat(in.readAllBytes()).isEqualTo(LARGE);
		}
	}
}
