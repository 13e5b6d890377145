package io.trawl.readmodel.event;

import java.time.Instant;

/**
 * An immutable fact about one sample in one job instance. The {@code eventId} is derived from the job instance and
 * the content, never from time or attempt, so a retried chunk or a restarted execution produces the same id and the
 * store keeps one copy. {@link EventKind#ATTEMPT} markers are the one exception: they record an attempt, so their id
 * names it; they are bookkeeping, never a result.
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

	/**
	 * @param sampleKey the location's key, as for an unreadable location
	 * @param attempt names one process's run of a partition, for example {@code jobExecution.stepExecution.run}
	 * @param done false for the marker written before the analysis, true for the one written after it
	 */
	public static String attemptId(long jobInstanceId, String sampleKey, String attempt, boolean done) {
		return jobInstanceId + "/" + sampleKey + "/" + EventKind.ATTEMPT + "/" + attempt + (done ? "/done" : "");
	}

	/** The key of a location rather than of content: for unreadable locations and attempt markers. */
	public static String locationKey(String location) {
		try {
			byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
				.digest(location.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			return UNREADABLE_PREFIX + java.util.HexFormat.of().formatHex(digest);
		}
		catch (java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", e);
		}
	}

	public boolean unreadable() {
		return sampleKey.startsWith(UNREADABLE_PREFIX);
	}
}
