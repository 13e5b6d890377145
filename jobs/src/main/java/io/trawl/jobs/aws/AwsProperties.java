package io.trawl.jobs.aws;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The aws profile's settings, under {@code trawl.aws.*} (see config/application-aws.yml).
 * @param region blank for the SDK's default region chain ({@code AWS_REGION}, the profile, instance metadata)
 * @param endpoints per-service endpoint overrides for emulators; blank means AWS itself
 * @param s3PathStyle path-style S3 requests; unset means "when an S3 endpoint is set" (S3Proxy, MinIO)
 * @param maxAttempts attempts per AWS request, the first included (throttling, 5xx and I/O errors are retried)
 * @param tablePrefix the DynamoDB table names' prefix, as in Terraform
 * @param createTables create missing DynamoDB tables at startup: true for development, false in production, where
 *     Terraform owns them
 * @param maxSampleSize larger S3 objects are recorded as unreadable rather than analysed
 * @param workerGroup the workers' Auto Scaling group, in which a busy worker protects its instance from scale-in;
 *     blank: no protection
 * @param instanceId this instance, for that protection; blank: asked from the instance metadata service (IMDSv2)
 */
@ConfigurationProperties("trawl.aws")
public record AwsProperties(String region, @DefaultValue Endpoints endpoints, Boolean s3PathStyle,
		@DefaultValue("8") int maxAttempts, @DefaultValue("trawl") String tablePrefix,
		@DefaultValue("true") boolean createTables, @DefaultValue("4GB") DataSize maxSampleSize,
		@DefaultValue Launch launch, String workerGroup,
		String instanceId) {

	/** Blank values mean the service's AWS endpoint; {@code imds} is the instance metadata service's. */
	public record Endpoints(String s3, String sqs, String dynamodb, String cloudwatch, String autoscaling,
			@DefaultValue("http://169.254.169.254") String imds) {

		public static URI uri(String value) {
			return value == null || value.isBlank() ? null : URI.create(value.trim());
		}
	}

	/**
	 * The SQS launch queue ({@link io.trawl.jobs.launch.LaunchMessage}).
	 * @param queueUrl blank: no listener
	 * @param dlqUrl where invalid messages are moved at once, with the reason; blank: they stay on the queue until its
	 *     redrive policy moves them
	 * @param waitTime long-poll time of one receive; also bounds how long shutdown waits for the listener
	 */
	public record Launch(String queueUrl, String dlqUrl, @DefaultValue("10s") Duration waitTime,
			@DefaultValue("true") boolean enabled) {
	}

	boolean pathStyle() {
		return s3PathStyle != null ? s3PathStyle : Endpoints.uri(endpoints.s3()) != null;
	}
}
