package io.trawl.worker.analysis.bytes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.elf.ElfAnalyzer;
import io.trawl.worker.analysis.pe.PeAnalyzer;
import io.trawl.worker.source.Sample;

/**
 * CPU time of the entropy, PE and ELF analyzers, one after another over each file of a folder as the pipeline runs
 * them, each file a fresh in-memory sample (so nothing is shared across passes); no warm-up. It uses only the
 * analyzers' public API, so one build of it times another build's analyzers when that build's classes come first
 * on the class path. Every pass prints a checksum of every entropy found, which must be the same for both. Not a test:
 *
 * <pre>
 * java -XX:CompileThresholdScaling=10 -cp OTHER/worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.analysis.bytes.EntropySharingBench /tmp/trawl-bench-store/corpus-store-440mb-seed1 [passes=2]
 * </pre>
 */
public final class EntropySharingBench {

	private EntropySharingBench() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int passes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
		List<Path> files;
		try (var list = Files.list(dir)) {
			files = list.filter(Files::isRegularFile).sorted().toList();
		}
		List<Analyzer> analyzers = List.of(new EntropyAnalyzer(), new PeAnalyzer(), new ElfAnalyzer());
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		for (int pass = 0; pass < passes; pass++) {
			long[] cpu = new long[analyzers.size()];
			long bytes = 0;
			double checksum = 0;
			for (Path file : files) {
				byte[] content = Files.readAllBytes(file);
				bytes += content.length;
				try (Sample sample = Sample.ofBytes(file.getFileName().toString(), content)) {
					Findings findings = new Findings();
					for (int i = 0; i < analyzers.size(); i++) {
						long start = threads.getCurrentThreadCpuTime();
						analyzers.get(i).analyse(sample, findings);
						cpu[i] += threads.getCurrentThreadCpuTime() - start;
					}
					checksum += sum(findings.get("entropy")) + sum(findings.get("pe")) + sum(findings.get("elf"));
				}
			}
			List<String> parts = new ArrayList<>();
			long all = 0;
			for (int i = 0; i < cpu.length; i++) {
				parts.add(String.format(Locale.ROOT, "%s %.3f", analyzers.get(i).name(), cpu[i] / 1e9));
				all += cpu[i];
			}
			System.out.printf(Locale.ROOT, "pass %d: %.3f CPU s (%s), %.1f MB, entropy checksum %.6f%n", pass,
					all / 1e9, String.join(", ", parts), bytes / 1e6, checksum);
		}
	}

	/** Every entropy in a finding (a number, or the sections of a report), summed. */
	private static double sum(Object value) {
		if (value instanceof Double d) {
			return d;
		}
		double total = 0;
		if (value instanceof java.util.Map<?, ?> map) {
			for (var entry : map.entrySet()) {
				total += "entropy".equals(entry.getKey()) || !(entry.getValue() instanceof Double) ? sum(entry.getValue())
						: 0;
			}
		}
		else if (value instanceof List<?> list) {
			for (Object item : list) {
				total += sum(item);
			}
		}
		return total;
	}
}
