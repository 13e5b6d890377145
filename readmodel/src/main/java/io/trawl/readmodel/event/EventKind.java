package io.trawl.readmodel.event;

/** What a result event says. */
public enum EventKind {
	/** A sample's analysis report: one per sample per job instance. */
	ANALYSED,
	/** Where a sample was found: a location in the source, or a path inside a parent sample. */
	SOURCE,
	/** A location that could not be read at all, so it has no sha256. */
	FAILED,
	/**
	 * Bookkeeping, not a result: a worker started (or finished) analysing a location in the careful first chunk after
	 * a restart or takeover. Keyed like an unreadable location ({@code "!" + sha256(location)}), so it needs no hash.
	 * The projection ignores it, so it never shows in results, counts or summaries.
	 */
	ATTEMPT
}
