package io.trawl.worker.analysis;

import io.trawl.worker.source.Sample;

/**
 * One kind of analysis over a sample's bytes. Implementations are thread-safe: one instance serves every partition.
 * A new analyzer is a new implementation registered as a bean; neither the jobs nor the read model change.
 */
public interface Analyzer {

	/** A short stable name, used for provenance and error fields: {@code hashes}, {@code yara}. */
	String name();

	/** Bumped whenever the analyzer's output for the same bytes may change. */
	String version();

	/** Adds this analyzer's fields to {@code findings}. Throwing records an error for this analyzer only. */
	void analyse(Sample sample, Findings findings) throws Exception;
}
