package io.trawl.jobs.partition;

import java.io.IOException;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

import io.trawl.jobs.aws.AwsClients;
import io.trawl.jobs.aws.AwsProperties;
import io.trawl.jobs.aws.InstanceMetadata;
import io.trawl.worker.source.s3.S3ClientSettings;

/**
 * Keeps a busy worker's instance out of scale-in: protected ({@code SetInstanceProtection}) from the start of its
 * first running partition to the end of its last one, counted over the partitions this JVM runs at once. When it
 * starts, a worker lifts the protection that a JVM which died mid-partition left behind. A call that fails is logged
 * and changes nothing else: the partition runs anyway, only less protected.
 */
class ScaleInProtection implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(ScaleInProtection.class);

	/** No group or no instance id (not on EC2): nothing to protect. */
	static final ScaleInProtection NONE = new ScaleInProtection(null, null, null);

	private final AutoScalingClient autoScaling;
	private final String group;
	private final String instanceId;
	private int running;

	ScaleInProtection(AutoScalingClient autoScaling, String group, String instanceId) {
		this.autoScaling = autoScaling;
		this.group = group;
		this.instanceId = instanceId;
	}

	/**
	 * For this instance ({@code trawl.aws.instance-id}, else the instance metadata service) in
	 * {@code trawl.aws.worker-group}; {@link #NONE}, said once in the log, when either is unknown.
	 */
	static ScaleInProtection of(AwsProperties aws) {
		if (blank(aws.workerGroup())) {
			log.info("No worker group is configured (TRAWL_WORKER_ASG, trawl.aws.worker-group): this worker does not "
					+ "protect its instance from scale-in while it runs partitions");
			return NONE;
		}
		String instanceId = aws.instanceId();
		if (blank(instanceId)) {
			String imds = blank(aws.endpoints().imds()) ? "http://169.254.169.254" : aws.endpoints().imds().trim();
			try {
				instanceId = new InstanceMetadata(AwsProperties.Endpoints.uri(imds)).instanceId();
			}
			catch (IOException e) {
				log.warn("This worker's instance id is unknown: the instance metadata service at {} did not give it "
						+ "({}), and trawl.aws.instance-id is not set. Not on EC2? The instance is not protected from "
						+ "scale-in while it runs partitions", imds, e.getMessage());
				return NONE;
			}
		}
		// few attempts and a short deadline: a partition waits for the call
		AutoScalingClient client = AwsClients.configure(AutoScalingClient.builder(), aws, aws.endpoints().autoscaling())
			.overrideConfiguration(o -> o.retryStrategy(S3ClientSettings.retryStrategy(3))
				.apiCallTimeout(Duration.ofSeconds(10)))
			.build();
		log.info("Instance {} protects itself from scale-in in {} while it runs partitions", instanceId.trim(),
				aws.workerGroup().trim());
		return new ScaleInProtection(client, aws.workerGroup().trim(), instanceId.trim());
	}

	/** Lifts the protection a previous JVM on this instance may have left on; called once, before any partition. */
	synchronized void reset() {
		if (running == 0) {
			protect(false);
		}
	}

	synchronized void partitionStarted() {
		if (running++ == 0) {
			protect(true);
		}
	}

	synchronized void partitionEnded() {
		if (--running == 0) {
			protect(false);
		}
	}

	/** Under the lock, so that calls reach Auto Scaling in the order of the counts they follow. */
	private void protect(boolean on) {
		if (autoScaling == null) {
			return;
		}
		try {
			autoScaling.setInstanceProtection(b -> b.autoScalingGroupName(group).instanceIds(instanceId)
				.protectedFromScaleIn(on));
			log.info("Instance {} is {} from scale-in in {}", instanceId, on ? "protected" : "no longer protected",
					group);
		}
		catch (RuntimeException e) {
			log.warn("Setting the scale-in protection of instance {} in {} to {} failed; the partitions go on: {}",
					instanceId, group, on, e.toString());
		}
	}

	@Override
	public void close() {
		if (autoScaling != null) {
			autoScaling.close();
		}
	}

	private static boolean blank(String value) {
		return value == null || value.isBlank();
	}
}
