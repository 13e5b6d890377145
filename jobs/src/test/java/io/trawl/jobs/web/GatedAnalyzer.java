package io.trawl.jobs.web;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * Holds the analysis of a sample starting with {@value #MARKER} while the gate is closed, so a test can keep jobs
 * running for as long as it needs (to fill the launch slots, or to stop a job mid-way). Plugged in with
 * {@code trawl.analysis.extra-analyzers}; test classpath only.
 */
public final class GatedAnalyzer implements Analyzer {

	public static final String MARKER = "TRAWL-TEST-GATE";
	private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);
	static volatile boolean closed;
	static final AtomicInteger held = new AtomicInteger();

	@Override
	public String name() {
		return "gated";
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		if (Arrays.equals(sample.head(MARKER_BYTES.length), MARKER_BYTES) && closed) {
			held.incrementAndGet();
			try {
				while (closed) {
					Thread.sleep(20);
				}
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			finally {
				held.decrementAndGet();
			}
		}
		findings.put("gated", "passed");
	}
}
