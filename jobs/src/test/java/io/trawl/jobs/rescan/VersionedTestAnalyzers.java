package io.trawl.jobs.rescan;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * Analyzers a test adds to the real pipeline through {@code trawl.analysis.extra-analyzers}, whose version the test
 * sets between jobs as a new Trawl release would bump one, and whose runs it counts.
 */
public final class VersionedTestAnalyzers {

	/** The version of {@link Bumped}; what it finds changes with it. */
	public static volatile String bumpedVersion = "1";

	/** Runs per analyzer name. */
	public static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

	private VersionedTestAnalyzers() {
	}

	static int runs(String analyzer) {
		return RUNS.getOrDefault(analyzer, new AtomicInteger()).get();
	}

	private static void ran(String analyzer) {
		RUNS.computeIfAbsent(analyzer, name -> new AtomicInteger()).incrementAndGet();
	}

	private static long zeros(Sample sample) throws IOException {
		long zeros = 0;
		try (InputStream in = sample.openStream()) {
			for (int b = in.read(); b >= 0; b = in.read()) {
				zeros += b == 0 ? 1 : 0;
			}
		}
		return zeros;
	}

	/**
	 * Counts the sample's zero bytes and names its content (it reads the hashes' {@code sha256}); version 1 also
	 * writes {@code bumpedV1}, which later versions no longer write.
	 */
	public static final class Bumped implements Analyzer {

		@Override
		public String name() {
			return "bumped";
		}

		@Override
		public String version() {
			return bumpedVersion;
		}

		@Override
		public Set<String> fields() {
			return Set.of("bumped", "bumpedV1");
		}

		@Override
		public Set<String> reads() {
			return Set.of("sha256");
		}

		@Override
		public void analyse(Sample sample, Findings findings) throws IOException {
			ran(name());
			String version = bumpedVersion;
			Map<String, Object> found = new LinkedHashMap<>();
			found.put("version", version);
			found.put("zeros", zeros(sample) * Integer.parseInt(version));
			found.put("of", String.valueOf(findings.get("sha256")).substring(0, 12));
			findings.put("bumped", found);
			if (version.equals("1")) {
				findings.put("bumpedV1", true);
			}
		}
	}

	/** Reads what {@link Bumped} found: it must run again whenever that changes. */
	public static final class Dependent implements Analyzer {

		@Override
		public String name() {
			return "dependent";
		}

		@Override
		public String version() {
			return "1";
		}

		@Override
		public Set<String> fields() {
			return Set.of("dependent");
		}

		@Override
		public Set<String> reads() {
			return Set.of("bumped");
		}

		@Override
		public void analyse(Sample sample, Findings findings) {
			ran(name());
			findings.put("dependent", "saw " + findings.get("bumped"));
		}
	}

	/** Never changes: an incremental rescan must not run it again on a reused content. */
	public static final class Steady implements Analyzer {

		@Override
		public String name() {
			return "steady";
		}

		@Override
		public String version() {
			return "1";
		}

		@Override
		public Set<String> fields() {
			return Set.of("steady");
		}

		@Override
		public void analyse(Sample sample, Findings findings) throws IOException {
			ran(name());
			findings.put("steady", zeros(sample) + sample.size());
		}
	}
}
