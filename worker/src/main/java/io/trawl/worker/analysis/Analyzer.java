package io.trawl.worker.analysis;


import java.util.Set;

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

	/**
	 * The top-level fields this analyzer may put into the findings, including those it puts only sometimes. The
	 * pipeline's own ({@code size}, {@code errors}, {@code verdict}, {@code score}, {@code signals},
	 * {@code analyzers}, {@code provenance}, {@code depth}, {@code children}, {@code skipped}) are not among them.
	 * An incremental rescan re-runs a changed analyzer alone, keeping every other analyzer's stored output, only when
	 * it can tell each stored field's analyzer from these; an analyzer that declares none (the default) has its
	 * samples analysed in full when it changes.
	 */
	default Set<String> fields() {
		return Set.of();
	}

	/**
	 * The fields of other analyzers this one reads from the findings ({@code mimeType} for YARA's {@code filetype}
	 * external). When one of those analyzers changes, this one re-runs too, and when it re-runs alone it is given
	 * their stored values.
	 */
	default Set<String> reads() {
		return Set.of();
	}

	/**
	 * True when the analysis runs native code in the JVM's process (JNA, JNI, the foreign function API), as libyara
	 * does (ssdeep ran libfuzzy until issue 13; it is Java now). A fault there (a SIGSEGV on hostile input) kills the
	 * whole JVM instead of throwing, so no exception handler can turn it into an error. A sample that was being
	 * analysed when a worker process died is analysed again without the analyzers that say true here, and its result
	 * names each one left out (see docs/crash-containment.md). Pure Java analyzers keep the default, false.
	 */
	default boolean nativeCode() {
		return false;
	}

	/**
	 * How a native host process recreates this analyzer when it runs isolated ({@code nativeCode()} true). The
	 * default, this class by its no-argument constructor, suits an analyzer without setup; one that needs setup (YARA
	 * and its rules) names a {@link AnalyzerSpec.Factory} and the settings it needs.
	 */
	default AnalyzerSpec spec() {
		return AnalyzerSpec.of(getClass());
	}
}
