package io.trawl.worker.analysis.bytes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CPU time of the byte histogram over the files of a folder, in this JVM's first pass and the next ones (no warm-up):
 * {@link ByteHistogram} as it is, or a variant named by {@code -Dvariant=pieces} (the counting loop called once per
 * 4 KB, the counters folded once per 64 KB). Run each side in fresh JVMs, in turn, with the launcher's JIT setting;
 * every pass prints the entropies' sum, which must be the same for both. Not a test:
 *
 * <pre>
 * java -XX:CompileThresholdScaling=10 -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.analysis.bytes.HistogramLoopBench /tmp/trawl-bench-store/corpus-store-440mb-seed1 [passes=2]
 * </pre>
 */
public final class HistogramLoopBench {

	private HistogramLoopBench() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int passes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
		boolean pieces = System.getProperty("variant", "today").equals("pieces");
		List<ByteBuffer> files = new ArrayList<>();
		long bytes = 0;
		try (var list = Files.list(dir)) {
			for (Path file : list.filter(Files::isRegularFile).sorted().toList()) {
				byte[] data = Files.readAllBytes(file);
				ByteBuffer direct = ByteBuffer.allocateDirect(data.length);
				direct.put(data).flip();
				files.add(direct);
				bytes += data.length;
			}
		}
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		for (int pass = 0; pass < passes; pass++) {
			long start = threads.getCurrentThreadCpuTime();
			double sum = 0;
			for (ByteBuffer file : files) {
				sum += pieces ? new Pieces().add(file).entropy() : new ByteHistogram().add(file).entropy();
			}
			double cpu = (threads.getCurrentThreadCpuTime() - start) / 1e9;
			System.out.printf(Locale.ROOT, "%s pass %d: %.3f CPU s, %.1f MB/CPU s, entropy sum %.6f%n",
					pieces ? "pieces" : "today", pass, cpu, bytes / 1e6 / cpu, sum);
		}
	}

	/**
	 * {@link ByteHistogram} with the counting loop called once per 4 KB and the counters folded once per 64 KB: the
	 * loop is {@link Tally}'s, which the analyzers now share.
	 */
	static final class Pieces {
		private final long[] counts = new long[256];
		private final Tally tally = new Tally();
		private long total;

		Pieces add(ByteBuffer bytes) {
			ByteBuffer view = bytes.duplicate();
			byte[] chunk = new byte[Math.min(64 * 1024, Math.max(view.remaining(), 1))];
			while (view.hasRemaining()) {
				int n = Math.min(chunk.length, view.remaining());
				view.get(chunk, 0, n);
				for (int from = 0; from < n; from += 4096) {
					tally.count(chunk, from, Math.min(n, from + 4096));
				}
				tally.drainInto(counts);
				total += n;
			}
			return this;
		}

		double entropy() {
			if (total == 0) {
				return 0.0;
			}
			double entropy = 0;
			for (long count : counts) {
				if (count > 0) {
					double p = (double) count / total;
					entropy -= p * (Math.log(p) / Math.log(2));
				}
			}
			return Math.round(entropy * 1e6) / 1e6;
		}
	}
}
