package io.trawl.jobs.cli;

import java.nio.charset.StandardCharsets;

import com.sun.jna.Pointer;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * Crashes the JVM the way a fault in libyara would: for a sample whose content starts with {@value #MARKER}, it reads
 * native memory at address 8 through JNA, a real SIGSEGV in native code (hs_err, exit 134). Plugged in with
 * {@code trawl.analysis.extra-analyzers=io.trawl.jobs.cli.CrashingAnalyzer}; never on the main classpath.
 */
public final class CrashingAnalyzer implements Analyzer {

	public static final String MARKER = "TRAWL-TEST-SEGFAULT";
	private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);

	@Override
	public String name() {
		return "crashing";
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public boolean nativeCode() {
		return true;
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		if (java.util.Arrays.equals(sample.head(MARKER_BYTES.length), MARKER_BYTES)) {
			findings.put("crashing", new Pointer(8).getInt(0)); // SIGSEGV: the JVM dies here
		}
		findings.put("crashing", "survived");
	}
}
