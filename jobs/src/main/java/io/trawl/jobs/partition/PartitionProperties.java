package io.trawl.jobs.partition;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Remote partitioning's settings, under {@code trawl.partitions.*} (see docs/remote-partitioning.md). The switch
 * itself is {@code trawl.partitioning=remote}; it cannot share this prefix, as a YAML key is either a value or a map.
 * @param queueUrl the partitions queue: the manager sends one message per partition, workers receive them
 * @param dlqUrl where a worker moves a malformed partition message at once, with the reason in {@code trawl-error};
 *     blank: it stays on the queue until the queue's redrive policy moves it
 * @param pollInterval how often the manager reads the partitions' status from the job repository
 * @param timeout how long the manager waits for all partitions before the analyse step fails
 * @param waitTime long-poll time of one receive (at most 20 s)
 * @param visibilityTimeout how long a received partition stays hidden from other workers; the worker extends it
 *     every third of this while the partition runs, so it only lapses when the worker is gone
 * @param maxDeliveries a partition whose worker vanished is taken over by the next worker that receives it, up to
 *     this many deliveries; after that it is marked FAILED, so the job fails and can be restarted instead of waiting
 *     for {@code timeout}. Keep it below the queue's maxReceiveCount.
 * @param workerId recorded in each partition's step execution context; blank: host name and pid
 * @param shutdownWait how long a stopping worker waits for its running partitions before it leaves them to others
 * @param heartbeatInterval how often a worker records, in the job repository, that its partitions are alive
 * @param takeoverAfter a partition whose worker has been silent this long is re-sent by the manager (and a worker
 *     receiving a message for it takes it over); a live worker's partition is never taken from it
 */
@ConfigurationProperties("trawl.partitions")
public record PartitionProperties(String queueUrl, String dlqUrl, @DefaultValue("2s") Duration pollInterval,
		@DefaultValue("24h") Duration timeout, @DefaultValue("10s") Duration waitTime,
		@DefaultValue("5m") Duration visibilityTimeout, @DefaultValue("3") int maxDeliveries, String workerId,
		@DefaultValue("60s") Duration shutdownWait, @DefaultValue("5s") Duration heartbeatInterval,
		@DefaultValue("25s") Duration takeoverAfter) {

	String requireQueueUrl() {
		if (queueUrl == null || queueUrl.isBlank()) {
			throw new IllegalStateException("trawl.partitioning=remote needs the partitions queue: set "
					+ "TRAWL_PARTITION_QUEUE_URL (trawl.partitions.queue-url) to its URL.");
		}
		return queueUrl.trim();
	}

	/** The visibility timeout of a received partition, 30 s to 12 h. */
	Duration visibility() {
		return Duration.ofSeconds(Math.min(43_200, Math.max(30, visibilityTimeout.toSeconds())));
	}
}
