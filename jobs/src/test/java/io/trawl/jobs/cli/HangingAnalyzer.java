package io.trawl.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * Holds the analysis of a sample whose content starts with {@value #MARKER} for as long as the file that
 * {@code TRAWL_TEST_HANG} names exists, after writing {@code <that file>.hanging}: a test then kills the JVM with the
 * sample in flight, as {@code kill -9} would. Plugged in with {@code trawl.analysis.extra-analyzers}; never on the main
 * classpath.
 */
public final class HangingAnalyzer implements Analyzer {

	public static final String MARKER = "TRAWL-TEST-HANG";
	private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);

	@Override
	public String name() {
		return "hanging";
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		Path armed = Path.of(System.getenv("TRAWL_TEST_HANG"));
		if (Arrays.equals(sample.head(MARKER_BYTES.length), MARKER_BYTES) && Files.exists(armed)) {
			try {
				Files.writeString(Path.of(armed + ".hanging"), sample.name());
				while (Files.exists(armed)) {
					Thread.sleep(50);
				}
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		findings.put("hanging", "passed");
	}
}
