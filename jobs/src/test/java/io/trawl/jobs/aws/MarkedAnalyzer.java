package io.trawl.jobs.aws;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * Does what a sample's first bytes ask, for the monitoring tests: {@value #ERROR} makes this analyzer fail (an
 * analyzer error in the result), {@value #FATAL} throws an Error nothing catches (the partition fails), and
 * {@value #HOLD} followed by a name waits until the test {@link #release}s that name, so a partition stays running.
 * Plugged in with {@code trawl.analysis.extra-analyzers=io.trawl.jobs.aws.MarkedAnalyzer}.
 */
public final class MarkedAnalyzer implements Analyzer {

	public static final String ERROR = "TRAWL-TEST-ANALYZER-ERROR";
	public static final String FATAL = "TRAWL-TEST-PARTITION-FATAL";
	public static final String HOLD = "TRAWL-TEST-HOLD-";

	private static final Map<String, CountDownLatch> releases = new ConcurrentHashMap<>();
	private static final Set<String> holding = ConcurrentHashMap.newKeySet();

	@Override
	public String name() {
		return "marked";
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public void analyse(Sample sample, Findings findings) throws Exception {
		String head = new String(sample.head(64), StandardCharsets.US_ASCII).trim();
		if (head.startsWith(ERROR)) {
			throw new IllegalStateException("the sample asked for an analyzer error");
		}
		if (head.startsWith(FATAL)) {
			throw new InternalError("the sample asked for a failed partition");
		}
		if (head.startsWith(HOLD)) {
			String name = head.substring(HOLD.length());
			holding.add(name);
			try {
				if (!releases.computeIfAbsent(name, n -> new CountDownLatch(1)).await(60, TimeUnit.SECONDS)) {
					throw new IllegalStateException("held for 60 s and never released: " + name);
				}
			}
			finally {
				holding.remove(name);
			}
		}
		findings.put("marked", "done");
	}

	/** The names whose samples are being analysed and held now. */
	public static Set<String> holding() {
		return Set.copyOf(holding);
	}

	public static void release(String name) {
		releases.computeIfAbsent(name, n -> new CountDownLatch(1)).countDown();
	}
}
