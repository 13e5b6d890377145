package io.trawl.worker.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.analysis.strings.StringsAnalyzer;
import io.trawl.worker.analysis.tlsh.TlshAnalyzer;
import io.trawl.worker.source.Sample;

/**
 * What a job's one pass costs each per-byte analyzer, JIT warm-up included: the analyzers run sample after sample,
 * each on the sample in turn as a job's analysing thread runs them, from a fresh JVM with no warm-up pass, and each
 * analyzer's CPU time of this thread is summed, pass by pass. Run it with the launcher's JIT setting to see what a
 * rescan sees; not a test:
 *
 * <pre>
 * java -XX:CompileThresholdScaling=10 -Xmx4g -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.bench.ColdPassBench /tmp/trawl-bench-store/corpus-store-440mb-seed1 [passes=2]
 * </pre>
 * {@code -Danalyzers=tlsh,strings} runs only the analyzers named.
 */
public final class ColdPassBench {

	private ColdPassBench() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int passes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
		List<Sample> samples = new ArrayList<>();
		long bytes = 0;
		try (var files = Files.list(dir)) {
			for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
				byte[] data = Files.readAllBytes(file);
				samples.add(Sample.ofBytes(file.getFileName().toString(), data));
				bytes += data.length;
			}
		}
		List<Analyzer> analyzers = List.of(new HashAnalyzer(), new EntropyAnalyzer(), new SsdeepAnalyzer(),
				new TlshAnalyzer(), new StringsAnalyzer());
		String only = System.getProperty("analyzers", "");
		if (!only.isBlank()) {
			List<String> names = List.of(only.split(","));
			analyzers = analyzers.stream().filter(analyzer -> names.contains(analyzer.name())).toList();
		}
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		for (int pass = 0; pass < passes; pass++) {
			Map<String, Long> nanos = new LinkedHashMap<>();
			analyzers.forEach(analyzer -> nanos.put(analyzer.name(), 0L));
			for (Sample sample : samples) {
				for (Analyzer analyzer : analyzers) {
					Findings findings = new Findings();
					long start = threads.getCurrentThreadCpuTime();
					analyzer.analyse(sample, findings);
					nanos.merge(analyzer.name(), threads.getCurrentThreadCpuTime() - start, Long::sum);
				}
			}
			StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "pass %d, %.1f MB, load %.2f:", pass,
					bytes / 1e6, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
			for (Map.Entry<String, Long> analyzer : nanos.entrySet()) {
				line.append(String.format(Locale.ROOT, "  %s %.3f CPU s", analyzer.getKey(), analyzer.getValue() / 1e9));
			}
			System.out.println(line);
		}
	}
}
