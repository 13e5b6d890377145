package io.trawl.worker.analysis.strings;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * CPU time of the analysing thread, in MB/s, for the strings analyzer and for its byte loop alone, per part of a bench
 * corpus folder (files named {@code NNNN-elf-*}, {@code NNNN-pe.exe}, {@code NNNN-random.bin}, {@code NNNN-text.log}),
 * as medians of repeated passes. Not a test; run it by hand:
 *
 * <pre>
 * java -Xmx8g -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.analysis.strings.StringsLoopBench /tmp/trawl-bench/corpus-700mb-seed1 [repeats=5] [loop,analyzer]
 * </pre>
 * {@code -Dparts=elf,pe} times only the parts named.
 */
public final class StringsLoopBench {

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private StringsLoopBench() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
		List<String> modes = List.of((args.length > 2 ? args[2] : "loop,analyzer").split(","));
		Map<String, List<Sample>> parts = new LinkedHashMap<>();
		for (String part : List.of("elf", "pe", "random", "text")) {
			parts.put(part, new ArrayList<>());
		}
		try (var files = Files.list(dir)) {
			for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
				String name = file.getFileName().toString();
				String part = name.contains("-elf") ? "elf" : name.contains("-pe") ? "pe"
						: name.contains("-random") ? "random" : name.contains("-text") ? "text" : null;
				if (part != null && System.getProperty("parts", part).contains(part)) {
					parts.get(part).add(Sample.ofBytes(name, Files.readAllBytes(file)));
				}
			}
		}
		for (String mode : modes) {
			Map<String, double[]> rates = new LinkedHashMap<>();
			parts.keySet().forEach(part -> rates.put(part, new double[repeats]));
			double[] totals = new double[repeats];
			for (int r = -1; r < repeats; r++) { // pass -1 warms up
				long allNanos = 0;
				long allBytes = 0;
				for (var part : parts.entrySet()) {
					long bytes = part.getValue().stream().mapToLong(Sample::size).sum();
					long start = THREADS.getCurrentThreadCpuTime();
					for (Sample sample : part.getValue()) {
						run(mode, sample);
					}
					long nanos = THREADS.getCurrentThreadCpuTime() - start;
					if (r >= 0) {
						rates.get(part.getKey())[r] = bytes * 1e3 / nanos;
					}
					allNanos += nanos;
					allBytes += bytes;
				}
				if (r >= 0) {
					totals[r] = allBytes * 1e3 / allNanos;
				}
			}
			StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-8s total %7.1f", mode, median(totals)));
			rates.forEach((part, r) -> line.append(String.format(Locale.ROOT, "  %s %7.1f", part, median(r))));
			System.out.println(line + "  MB/s CPU (medians of " + repeats + ")  sink " + sink);
		}
	}

	private static long sink;

	private static void run(String mode, Sample sample) throws Exception {
		if (mode.equals("analyzer")) {
			Findings findings = new Findings();
			new StringsAnalyzer().analyse(sample, findings);
			sink += findings.get("strings").hashCode() & 1;
			return;
		}
		// the byte loop alone, chunked as StringsAnalyzer.scan does
		ByteBuffer bytes = sample.bytes().orElseThrow();
		int total = bytes.limit();
		byte[] chunk = new byte[64 * 1024 + 1];
		Runs runs = new Runs(6);
		for (int base = 0; base < total; base += 64 * 1024) {
			int n = Math.min(64 * 1024 + 1, total - base);
			bytes.get(base, chunk, 0, n);
			if (n <= 64 * 1024) {
				chunk[n] = 1;
			}
			runs.find(chunk, base, Math.min(64 * 1024, n));
			sink += runs.count();
		}
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}
}

