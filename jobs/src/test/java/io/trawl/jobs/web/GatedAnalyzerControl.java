package io.trawl.jobs.web;

/** Opens and closes {@link GatedAnalyzer}'s gate from tests in other packages. */
public final class GatedAnalyzerControl {

	public static final String MARKER = GatedAnalyzer.MARKER;

	private GatedAnalyzerControl() {
	}

	public static void close() {
		GatedAnalyzer.closed = true;
	}

	public static void open() {
		GatedAnalyzer.closed = false;
	}

	public static int held() {
		return GatedAnalyzer.held.get();
	}
}
