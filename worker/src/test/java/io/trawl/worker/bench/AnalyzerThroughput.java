package io.trawl.worker.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.trawl.worker.analysis.Analyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.analysis.SampleAnalysis;
import io.trawl.worker.analysis.VerdictPolicy;
import io.trawl.worker.analysis.archive.ArchiveAnalyzer;
import io.trawl.worker.analysis.content.EntropyAnalyzer;
import io.trawl.worker.analysis.content.MimeTypeAnalyzer;
import io.trawl.worker.analysis.elf.ElfAnalyzer;
import io.trawl.worker.analysis.filetype.FileTypeAnalyzer;
import io.trawl.worker.analysis.fuzzy.SsdeepAnalyzer;
import io.trawl.worker.analysis.hash.HashAnalyzer;
import io.trawl.worker.analysis.pe.PeAnalyzer;
import io.trawl.worker.analysis.strings.StringsAnalyzer;
import io.trawl.worker.analysis.tlsh.TlshAnalyzer;
import io.trawl.worker.source.Sample;
import io.trawl.worker.testcorpus.TestCorpus;

/**
 * Single-thread throughput of each analyzer, in MB/s, over a generated corpus held in memory (random bytes, text,
 * PE and ELF files, zips), or over the files of a folder (for example the corpus of {@code bench/rescan-vs-native.sh}):
 * a warm-up pass, then timed passes. Each line gives MB/s of wall time and of this thread's CPU time (user and system),
 * the figure to compare on a shared machine. Not a test; run it by hand:
 *
 * <pre>
 * mvn -q -pl worker test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.bench.AnalyzerThroughput [corpusMiB=64 | folder] [passes=3]
 * </pre>
 * {@code -Danalyzers=tlsh,strings} times only the analyzers named.
 *
 * Each analyzer runs alone in a {@link SampleAnalysis}, so the archive figure covers opening, inflating and the
 * archive analyzer's own pass over each member (no other analyzer looks at the members).
 */
public final class AnalyzerThroughput {

	private AnalyzerThroughput() {
	}

	public static void main(String[] args) throws Exception {
		String corpus = args.length > 0 ? args[0] : "64";
		int passes = args.length > 1 ? Integer.parseInt(args[1]) : 3;
		List<Sample> samples = corpus.matches("\\d+") ? corpus(Integer.parseInt(corpus)) : folder(Path.of(corpus));
		long bytes = samples.stream().mapToLong(Sample::size).sum();
		List<Analyzer> analyzers = List.of(new HashAnalyzer(), new EntropyAnalyzer(), new MimeTypeAnalyzer(),
				new FileTypeAnalyzer(), new SsdeepAnalyzer(), new TlshAnalyzer(), new PeAnalyzer(), new ElfAnalyzer(),
				new StringsAnalyzer(), new ArchiveAnalyzer());
		String only = System.getProperty("analyzers", "");
		if (!only.isBlank()) {
			List<String> names = List.of(only.split(","));
			analyzers = analyzers.stream().filter(analyzer -> names.contains(analyzer.name())).toList();
		}
		System.out.printf(Locale.ROOT, "corpus: %d samples, %.1f MiB, %d timed passes, 1 thread%n", samples.size(),
				bytes / 1048576.0, passes);
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		double totalSeconds = 0;
		double totalCpu = 0;
		for (Analyzer analyzer : analyzers) {
			run(analyzer, samples);
			long start = System.nanoTime();
			long startCpu = threads.getCurrentThreadCpuTime();
			for (int pass = 0; pass < passes; pass++) {
				run(analyzer, samples);
			}
			double cpu = (threads.getCurrentThreadCpuTime() - startCpu) / 1e9 / passes;
			double seconds = (System.nanoTime() - start) / 1e9 / passes;
			totalSeconds += seconds;
			totalCpu += cpu;
			System.out.printf(Locale.ROOT, "%-10s %-12s %10.1f MB/s %10.1f MB/CPU s %8.3f CPU s a pass%n",
					analyzer.name(), analyzer.version(), bytes / 1e6 / seconds, bytes / 1e6 / cpu, cpu);
		}
		System.out.printf(Locale.ROOT, "%-10s %-12s %10.1f MB/s %10.1f MB/CPU s (all analyzers in sequence)%n", "all",
				"", bytes / 1e6 / totalSeconds, bytes / 1e6 / totalCpu);
	}

	private static void run(Analyzer analyzer, List<Sample> samples) {
		SampleAnalysis alone = new SampleAnalysis(List.of(analyzer), VerdictPolicy.defaults());
		for (Sample sample : samples) {
			Findings findings = alone.analyse(sample);
			if (!findings.errors().isEmpty()) {
				throw new IllegalStateException(analyzer.name() + " failed: " + findings.errors());
			}
		}
	}

	private static List<Sample> corpus(int mib) throws Exception {
		List<Sample> samples = new ArrayList<>();
		long target = (long) mib << 20;
		long size = 0;
		int i = 0;
		Path dir = Files.createTempDirectory("trawl-bench");
		dir.toFile().deleteOnExit();
		StringBuilder text = new StringBuilder();
		while (text.length() < 1 << 20) {
			text.append(TestCorpus.shellScript()).append(TestCorpus.powershellScript());
		}
		byte[] textBytes = text.toString().getBytes(StandardCharsets.UTF_8);
		while (size < target) {
			byte[] content = switch (i % 5) {
				case 0 -> TestCorpus.randomBytes(4 << 20, i);
				case 1 -> textBytes;
				case 2 -> concat(TestCorpus.pe32(), TestCorpus.randomBytes(2 << 20, i));
				case 3 -> concat(TestCorpus.elf64(), TestCorpus.randomBytes(1 << 20, i));
				default -> TestCorpus.zip(java.util.Map.of("a.txt", textBytes, "b.bin",
						TestCorpus.randomBytes(1 << 20, i)));
			};
			samples.add(Sample.ofBytes("sample-" + i, content));
			size += content.length;
			i++;
		}
		return samples;
	}

	/** Every regular file of a folder (not its subfolders), read into memory. */
	private static List<Sample> folder(Path dir) throws Exception {
		List<Sample> samples = new ArrayList<>();
		try (var files = Files.list(dir)) {
			for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
				samples.add(Sample.ofBytes(file.getFileName().toString(), Files.readAllBytes(file)));
			}
		}
		return samples;
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, out, a.length, b.length);
		return out;
	}
}
