package io.trawl.readmodel.event;

/** What a result event says. */
public enum EventKind {
	/** A sample's analysis report: one per sample per job instance. */
	ANALYSED,
	/** Where a sample was found: a location in the source, or a path inside a parent sample. */
	SOURCE,
	/** A location that could not be read at all, so it has no sha256. */
	FAILED
}
