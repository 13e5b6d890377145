package io.trawl.worker.analysis.fuzzy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Java {@link Ssdeep} against libfuzzy (JNA) on the same in-memory real files, in one run: MB/s of each and the
 * ratio. A main, not a test (nothing here runs in CI, and no test asserts a speed). Run it with
 * {@code bench/ssdeep-vs-libfuzzy.sh [MB] [rounds] [dir...]}.
 * <p>
 * Both read the same direct buffers in place, as the analyzer gets them from {@code Sample}; each round hashes every
 * file with each implementation, alternating which goes first; the figure is the median round, in MB (10^6 bytes)
 * per second of this thread's CPU time.
 */
public final class SsdeepBenchmark {

	/** This thread's CPU time: steadier than the wall clock on a machine shared with other work. */
	private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory
		.getThreadMXBean();

	public static void main(String[] args) throws IOException {
		long budget = (args.length > 0 ? Long.parseLong(args[0]) : 200) * 1_000_000L;
		int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
		List<String> dirs = args.length > 2 ? List.of(args).subList(2, args.length)
				: List.of("/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib/jvm", "/usr/share");
		List<ByteBuffer> files = load(dirs, budget);
		long bytes = files.stream().mapToLong(ByteBuffer::remaining).sum();
		System.out.printf("%d files, %.1f MB (median %d bytes), %d rounds%n", files.size(), bytes / 1e6,
				files.stream().mapToInt(ByteBuffer::remaining).sorted().skip(files.size() / 2).findFirst().orElse(0),
				rounds);

		// every file agrees before anything is timed; this also warms both up
		for (ByteBuffer file : files) {
			String java = Ssdeep.of(file);
			String libfuzzy = LibFuzzy.hash(file);
			if (!java.equals(libfuzzy)) {
				throw new AssertionError("differs: " + java + " != " + libfuzzy);
			}
		}
		long[] javaNanos = new long[rounds];
		long[] fuzzyNanos = new long[rounds];
		for (int round = 0; round < rounds; round++) {
			if (round % 2 == 0) {
				javaNanos[round] = timeJava(files);
				fuzzyNanos[round] = timeLibfuzzy(files);
			}
			else {
				fuzzyNanos[round] = timeLibfuzzy(files);
				javaNanos[round] = timeJava(files);
			}
			System.out.printf("round %d: Java %.0f MB/s, libfuzzy %.0f MB/s%n", round + 1, mbps(bytes, javaNanos[round]),
					mbps(bytes, fuzzyNanos[round]));
		}
		double java = mbps(bytes, median(javaNanos));
		double fuzzy = mbps(bytes, median(fuzzyNanos));
		System.out.printf("median (per CPU second): Java %.0f MB/s (%.2f CPU s/GB), libfuzzy %.0f MB/s (%.2f CPU s/GB), Java %.2fx%n",
				java, 1000 / java, fuzzy, 1000 / fuzzy, java / fuzzy);
	}

	private static long timeJava(List<ByteBuffer> files) {
		long start = CPU.getCurrentThreadCpuTime();
		int sink = 0;
		for (ByteBuffer file : files) {
			sink += Ssdeep.of(file).length();
		}
		long nanos = CPU.getCurrentThreadCpuTime() - start;
		if (sink == 0) {
			throw new AssertionError();
		}
		return nanos;
	}

	private static long timeLibfuzzy(List<ByteBuffer> files) {
		long start = CPU.getCurrentThreadCpuTime();
		int sink = 0;
		for (ByteBuffer file : files) {
			sink += LibFuzzy.hash(file).length();
		}
		long nanos = CPU.getCurrentThreadCpuTime() - start;
		if (sink == 0) {
			throw new AssertionError();
		}
		return nanos;
	}

	private static double mbps(long bytes, long nanos) {
		return bytes / 1e6 / (nanos / 1e9);
	}

	private static long median(long[] values) {
		long[] sorted = values.clone();
		java.util.Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

	/** Regular files under the folders, in name order, up to 64 MB each, until the budget is reached. */
	private static List<ByteBuffer> load(List<String> dirs, long budget) throws IOException {
		List<Path> paths = new ArrayList<>();
		for (String dir : dirs) {
			if (Files.isDirectory(Path.of(dir))) {
				try (Stream<Path> walk = Files.walk(Path.of(dir))) {
					walk.filter(Files::isRegularFile).filter(Files::isReadable).sorted().forEach(paths::add);
				}
			}
		}
		// spread over the list so that each folder contributes
		List<ByteBuffer> files = new ArrayList<>();
		long total = 0;
		int step = Math.max(1, paths.size() / 4000);
		for (int offset = 0; offset < step && total < budget; offset++) {
			for (int i = offset; i < paths.size() && total < budget; i += step) {
				Path path = paths.get(i);
				long size = Files.size(path);
				if (size == 0 || size > (64 << 20)) {
					continue;
				}
				byte[] data = Files.readAllBytes(path);
				ByteBuffer direct = ByteBuffer.allocateDirect(data.length);
				direct.put(data).flip();
				files.add(direct);
				total += data.length;
			}
		}
		return files;
	}
}
