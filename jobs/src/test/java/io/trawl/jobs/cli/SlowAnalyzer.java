package io.trawl.jobs.cli;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * Takes {@code TRAWL_TEST_SLOW_MS} milliseconds (default 0) over every sample, so that a small corpus keeps a
 * cluster's partitions running long enough for a test to kill or stop a process part-way; and holds every sample
 * while the file {@code TRAWL_TEST_HOLD} names exists. Plugged in with {@code trawl.analysis.extra-analyzers}; never
 * on the main classpath.
 */
public final class SlowAnalyzer implements Analyzer {

	private final long millis = Long.parseLong(System.getenv().getOrDefault("TRAWL_TEST_SLOW_MS", "0"));

	@Override
	public String name() {
		return "slow";
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		String hold = System.getenv("TRAWL_TEST_HOLD");
		try {
			Thread.sleep(millis);
			while (hold != null && java.nio.file.Files.exists(java.nio.file.Path.of(hold))) {
				Thread.sleep(50);
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		findings.put("slow", millis);
	}
}
