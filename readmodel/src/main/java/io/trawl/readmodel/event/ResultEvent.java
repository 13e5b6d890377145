package io.trawl.readmodel.event;

import java.time.Instant;

/**
 * An immutable fact about one sample in one job instance. The {@code eventId} is derived from the job instance and
 * the content, never from time or attempt, so a retried chunk or a restarted execution produces the same id and the
 * store keeps one copy.
 *
 * @param sampleKey the sample's sha256, or {@code "!" + sha256(location)} for a location that could not be read
 * @param payload the event's JSON document
 */
public record ResultEvent(String eventId, long jobInstanceId, long jobExecutionId, String sampleKey, EventKind kind,
		Instant recordedAt, String payload) {

	public static final String UNREADABLE_PREFIX = "!";

	public static String analysedId(long jobInstanceId, String sampleKey) {
		return jobInstanceId + "/" + sampleKey + "/" + EventKind.ANALYSED;
	}

	/** @param qualifier distinguishes the sources of one sample, for example a hash of the location */
	public static String sourceId(long jobInstanceId, String sampleKey, String qualifier) {
		return jobInstanceId + "/" + sampleKey + "/" + EventKind.SOURCE + "/" + qualifier;
	}

	public static String failedId(long jobInstanceId, String sampleKey) {
		return jobInstanceId + "/" + sampleKey + "/" + EventKind.FAILED;
	}

	public boolean unreadable() {
		return sampleKey.startsWith(UNREADABLE_PREFIX);
	}
}
