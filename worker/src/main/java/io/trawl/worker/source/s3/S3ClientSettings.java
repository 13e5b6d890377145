package io.trawl.worker.source.s3;

import java.net.URI;
import java.time.Duration;

import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * How Trawl builds its S3 client: the SDK's standard retry strategy (throttling, 5xx and I/O errors) with
 * exponential backoff and jitter and an explicit number of attempts, an optional endpoint for S3-compatible stores
 * and emulators, and credentials from the default provider chain.
 * @param endpoint null for AWS itself
 * @param pathStyle {@code true} for most emulators (S3Proxy, MinIO), which do not serve bucket subdomains
 * @param maxAttempts the first try included
 */
public record S3ClientSettings(String region, URI endpoint, boolean pathStyle, int maxAttempts) {

	public static final int DEFAULT_MAX_ATTEMPTS = 8;

	public S3ClientSettings {
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
		}
	}

	public static S3ClientSettings aws(String region) {
		return new S3ClientSettings(region, null, false, DEFAULT_MAX_ATTEMPTS);
	}

	/** A client with credentials from the default provider chain. */
	public S3Client build() {
		return builder().build();
	}

	/** The configured builder, for adding what a caller needs (credentials, HTTP client, interceptors). */
	public S3ClientBuilder builder() {
		S3ClientBuilder builder = S3Client.builder()
			.region(Region.of(region))
			.forcePathStyle(pathStyle)
			.overrideConfiguration(o -> o.retryStrategy(retryStrategy(maxAttempts)));
		if (endpoint != null) {
			builder.endpointOverride(endpoint);
		}
		return builder;
	}

	/**
	 * Retries throttling (503 SlowDown), 5xx and I/O errors with jittered exponential backoff, every call up to
	 * {@code maxAttempts}. The SDK's circuit breaker is off: its shared budget (100 retries, refilled only by
	 * successful calls) is spent by one long outage, after which a blip of a second fails a job outright; each call's
	 * retries are bounded by the attempts and the backoff already.
	 */
	public static RetryStrategy retryStrategy(int maxAttempts) {
		return AwsRetryStrategy.standardRetryStrategy()
			.toBuilder()
			.circuitBreakerEnabled(false)
			.maxAttempts(maxAttempts)
			// half jitter: 8 attempts keep trying for at least 6.3 s, so a service restarted within that is not noticed
			.backoffStrategy(BackoffStrategy.exponentialDelayHalfJitter(Duration.ofMillis(100), Duration.ofSeconds(20)))
			.throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(500), Duration.ofSeconds(20)))
			.build();
	}
}
