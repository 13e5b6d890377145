package io.trawl.jobs.aws;

import java.net.URI;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import io.trawl.worker.source.s3.S3ClientSettings;

/** How every AWS client Trawl builds is set up from {@link AwsProperties}: region, endpoint and retries. */
public final class AwsClients {

	private AwsClients() {
	}

	/**
	 * The builder with the configured region, the endpoint if one is set (emulators), the retry strategy, and a
	 * failure to reach the service named in one sentence ({@link UnreachableService}).
	 */
	public static <B extends AwsClientBuilder<B, ?>> B configure(B builder, AwsProperties aws, String endpoint) {
		builder.region(region(aws));
		URI uri = AwsProperties.Endpoints.uri(endpoint);
		if (uri != null) {
			builder.endpointOverride(uri);
		}
		builder.overrideConfiguration(o -> o.retryStrategy(S3ClientSettings.retryStrategy(aws.maxAttempts()))
			.addExecutionInterceptor(new UnreachableService()));
		return builder;
	}

	/** {@code trawl.aws.region}, else the SDK's default chain (AWS_REGION, profile, instance metadata). */
	public static Region region(AwsProperties aws) {
		if (aws.region() != null && !aws.region().isBlank()) {
			return Region.of(aws.region().trim());
		}
		try {
			return new DefaultAwsRegionProviderChain().getRegion();
		}
		catch (RuntimeException e) {
			throw new IllegalStateException("No AWS region is configured; set AWS_REGION (for example eu-west-1).", e);
		}
	}
}
