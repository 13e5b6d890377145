package io.trawl.worker.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;
import io.trawl.worker.yara.YaraAnalyzer;
import io.trawl.worker.yara.YaraRules;

/**
 * YARA through {@link YaraRules} in one JVM, over every file of a corpus, against the {@code yara} CLI's
 * {@code -p N -r} over the same files (run it beside this, under {@code /usr/bin/time}). It reports the process's CPU
 * (user + system, {@code /proc}), the analysing threads' CPU, and how much of that was the scans alone. Not a test;
 * run by hand from the repository's root:
 *
 * <pre>
 * ./mvnw -B -q -pl worker test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.bench.YaraVsCliBench CORPUS RULES [threads=1] [passes=3] [mode=analyzer]
 * </pre>
 * Modes: {@code analyzer} reads each file as a job does ({@link Sample#ofFile}, 64 MB in memory) and runs
 * {@link YaraAnalyzer} with Trawl's externals; {@code file} hands libyara the file's path (its own mmap, as the CLI
 * does) with the CLI's empty externals. Each pass's figures are printed; the first pass warms up.
 */
public final class YaraVsCliBench {

	private static final long IN_MEMORY_LIMIT = 64L << 20;

	private YaraVsCliBench() {
	}

	public static void main(String[] args) throws Exception {
		Path corpus = Path.of(args[0]);
		Path rulesPath = Path.of(args[1]);
		int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
		int passes = args.length > 3 ? Integer.parseInt(args[3]) : 3;
		String mode = args.length > 4 ? args[4] : "analyzer";
		List<Path> files;
		try (Stream<Path> walk = Files.walk(corpus)) {
			files = walk.filter(Files::isRegularFile).sorted().toList();
		}
		long t0 = cpu();
		YaraRules rules = YaraRules.compile(rulesPath, 60);
		System.out.printf(Locale.ROOT, "%d files, rules %s compiled in %.3f CPU s, %d threads, mode %s%n", files.size(),
				rulesPath, (cpu() - t0) / 1e9, threads, mode);
		ThreadMXBean mx = ManagementFactory.getThreadMXBean();
		for (int pass = 0; pass < passes; pass++) {
			ConcurrentLinkedQueue<Path> queue = new ConcurrentLinkedQueue<>(files);
			AtomicLong scanCpu = new AtomicLong();
			AtomicLong threadCpu = new AtomicLong();
			AtomicLong matches = new AtomicLong();
			List<Thread> workers = new ArrayList<>();
			long processBefore = cpu();
			long wallBefore = System.nanoTime();
			for (int t = 0; t < threads; t++) {
				Thread worker = new Thread(() -> {
					long start = mx.getCurrentThreadCpuTime();
					YaraAnalyzer analyzer = new YaraAnalyzer(rules);
					long scans = 0;
					for (Path file = queue.poll(); file != null; file = queue.poll()) {
						try {
							long before = mx.getCurrentThreadCpuTime();
							if (mode.equals("file")) {
								matches.addAndGet(rules.scan(file, Map.of("filename", "", "filepath", "",
										"extension", "", "filetype", "")).size());
								scans += mx.getCurrentThreadCpuTime() - before;
							}
							else {
								try (Sample sample = Sample.ofFile(file.getFileName().toString(), file,
										IN_MEMORY_LIMIT)) {
									Findings findings = new Findings();
									findings.put("mimeType", "application/x-executable");
									long scanStart = mx.getCurrentThreadCpuTime();
									analyzer.analyse(sample, findings);
									scans += mx.getCurrentThreadCpuTime() - scanStart;
									matches.addAndGet(((List<?>) findings.get("yara")).size());
								}
							}
						}
						catch (IOException e) {
							throw new java.io.UncheckedIOException(e);
						}
					}
					scanCpu.addAndGet(scans);
					threadCpu.addAndGet(mx.getCurrentThreadCpuTime() - start);
				}, "yara-bench-" + t);
				workers.add(worker);
				worker.start();
			}
			for (Thread worker : workers) {
				worker.join();
			}
			System.out.printf(Locale.ROOT,
					"pass %d: wall %.3f s, process CPU %.3f s, analysing threads %.3f s, of which scans %.3f s; "
							+ "%d matches%n",
					pass, (System.nanoTime() - wallBefore) / 1e9, (cpu() - processBefore) / 1e9, threadCpu.get() / 1e9,
					scanCpu.get() / 1e9, matches.get());
		}
		rules.close();
	}

	private static long cpu() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}
}
