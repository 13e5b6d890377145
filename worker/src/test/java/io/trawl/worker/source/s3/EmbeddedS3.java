package io.trawl.worker.source.s3;

import java.net.URI;
import java.util.Properties;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** S3Proxy in memory on a free loopback port, with a client built the way Trawl builds its own. */
final class EmbeddedS3 implements AutoCloseable {

	static final String ACCESS_KEY = "trawl-test";
	static final String SECRET_KEY = "trawl-test-secret";

	private final S3Proxy proxy;
	private final URI endpoint;

	private EmbeddedS3(S3Proxy proxy) {
		this.proxy = proxy;
		this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
	}

	static EmbeddedS3 start() throws Exception {
		S3Proxy proxy = S3Proxy.builder()
			.blobStore(BlobStores.create("transient", new Properties()))
			.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
			.endpoint(URI.create("http://127.0.0.1:0"))
			.build();
		proxy.start();
		while (!"STARTED".equals(proxy.getState())) {
			Thread.sleep(10);
		}
		return new EmbeddedS3(proxy);
	}

	URI endpoint() {
		return endpoint;
	}

	S3Client client() {
		return builder().build();
	}

	S3ClientBuilder builder() {
		return new S3ClientSettings("us-east-1", endpoint, true, 3).builder()
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
	}

	static void put(S3Client s3, String bucket, String key, byte[] content) {
		s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
	}

	@Override
	public void close() throws Exception {
		proxy.stop();
	}
}
