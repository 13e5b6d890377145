package io.trawl.worker.analysis.tlsh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * CPU time of TLSH's byte loop, variants against today's, interleaved in one JVM (A B C A B C ...), medians in MB per
 * CPU second of this thread. Each sample is fed in 64 KB pieces, as {@code Tlsh.update(ByteBuffer)} does; every
 * variant's buckets and checksum must equal today's, or it stops. Not a test; run it by hand:
 *
 * <pre>
 * java -Xmx6g -cp worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt) \
 *     io.trawl.worker.analysis.tlsh.TlshLoopBench /tmp/trawl-bench-store/corpus-store-440mb-seed1 [rounds=7] [MB=0 (all)]
 * </pre>
 * {@code -Dvariants=today,bytes} times only the variants named; {@code -Dsets=corpus,random,zeros} the inputs named;
 * {@code -DwarmUp=2} rounds are not counted; {@code -DeachRound=true} prints every round (to see the JIT's warm-up).
 */
public final class TlshLoopBench {

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private TlshLoopBench() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
		long limit = args.length > 2 ? Long.parseLong(args[2]) * 1_000_000L : 0;
		Map<String, Supplier<Loop>> all = new LinkedHashMap<>();
		all.put("today", Today::new);
		all.put("tlsh", Main::new);
		all.put("bytes", Bytes::new);
		all.put("bound-chain", Chain::new);
		all.put("flat", Flat::new);
		all.put("pieces4k", () -> new Pieces(4096));
		all.put("pieces16k", () -> new Pieces(16384));
		all.put("pieces64k", () -> new Pieces(65536));
		all.put("long", LongCounts::new);
		all.put("plus", Plus::new);
		all.put("longplus", LongPlus::new);
		all.put("joint2", () -> new Joint(false));
		all.put("joint3", () -> new Joint(true));
		all.put("signed", Signed::new);
		Map<String, Supplier<Loop>> variants = new LinkedHashMap<>();
		for (String name : System.getProperty("variants", String.join(",", all.keySet())).split(",")) {
			variants.put(name, all.get(name));
		}
		Map<String, List<byte[]>> sets = new LinkedHashMap<>();
		for (String set : System.getProperty("sets", "corpus,random").split(",")) {
			sets.put(set, switch (set) {
				case "corpus" -> folder(dir, limit);
				case "random" -> {
					byte[] data = new byte[32 << 20];
					new Random(1).nextBytes(data);
					yield List.of(data);
				}
				default -> List.of(new byte[32 << 20]);
			});
		}
		for (Map.Entry<String, List<byte[]>> set : sets.entrySet()) {
			long bytes = set.getValue().stream().mapToLong(data -> data.length).sum();
			Map<String, double[]> rates = new LinkedHashMap<>();
			variants.keySet().forEach(name -> rates.put(name, new double[rounds]));
			long expected = 0;
			int warmUp = Integer.getInteger("warmUp", 2);
			for (int r = -warmUp; r < rounds; r++) {
				for (Map.Entry<String, Supplier<Loop>> variant : variants.entrySet()) {
					long start = THREADS.getCurrentThreadCpuTime();
					long fingerprint = run(variant.getValue(), set.getValue());
					double cpu = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
					if (expected == 0) {
						expected = fingerprint;
					}
					else if (fingerprint != expected && !variant.getKey().startsWith("bound-")) {
						throw new IllegalStateException(variant.getKey() + " differs from the first variant");
					}
					if (r >= 0) {
						rates.get(variant.getKey())[r] = bytes / 1e6 / cpu;
					}
					if (Boolean.getBoolean("eachRound")) {
						System.out.printf(Locale.ROOT, "  round %d %-8s %7.1f MB/CPU s%n", r, variant.getKey(),
								bytes / 1e6 / cpu);
					}
				}
			}
			double base = median(rates.values().iterator().next());
			System.out.printf(Locale.ROOT, "%s: %d inputs, %.1f MB, %d rounds, load %.2f%n", set.getKey(),
					set.getValue().size(), bytes / 1e6, rounds,
					ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
			for (Map.Entry<String, double[]> rate : rates.entrySet()) {
				double[] sorted = rate.getValue().clone();
				Arrays.sort(sorted);
				System.out.printf(Locale.ROOT, "  %-8s median %7.1f MB/CPU s (%.1f-%.1f)  %.2fx%n", rate.getKey(),
						median(sorted), sorted[0], sorted[sorted.length - 1], median(sorted) / base);
			}
		}
	}

	private static List<byte[]> folder(Path dir, long limit) throws Exception {
		List<byte[]> files = new ArrayList<>();
		long total = 0;
		try (var list = Files.list(dir)) {
			for (Path file : list.filter(Files::isRegularFile).sorted().toList()) {
				if (limit > 0 && total >= limit) {
					break;
				}
				byte[] data = Files.readAllBytes(file);
				files.add(data);
				total += data.length;
			}
		}
		return files;
	}

	private static long run(Supplier<Loop> variant, List<byte[]> inputs) {
		long fingerprint = 1;
		for (byte[] data : inputs) {
			Loop loop = variant.get();
			for (int at = 0; at < data.length; at += 64 * 1024) {
				loop.update(data, at, Math.min(64 * 1024, data.length - at));
			}
			fingerprint = fingerprint * 31 + Arrays.hashCode(loop.buckets()) * 17L + loop.checksum();
		}
		return fingerprint;
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int n = sorted.length;
		return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	}

	interface Loop {
		void update(byte[] data, int offset, int count);

		long[] buckets();

		int checksum();
	}

	/** Pearson's table and the salts' starting states, as in {@code Tlsh}. */
	static final int[] T = new int[256];
	static final int S0, S2, S3, S5, S7, S11, S13;

	static {
		int[] t = { 1, 87, 49, 12, 176, 178, 102, 166, 121, 193, 6, 84, 249, 230, 44, 163, 14, 197, 213, 181, 161, 85,
				218, 80, 64, 239, 24, 226, 236, 142, 38, 200, 110, 177, 104, 103, 141, 253, 255, 50, 77, 101, 81, 18, 45,
				96, 31, 222, 25, 107, 190, 70, 86, 237, 240, 34, 72, 242, 20, 214, 244, 227, 149, 235, 97, 234, 57, 22,
				60, 250, 82, 175, 208, 5, 127, 199, 111, 62, 135, 248, 174, 169, 211, 58, 66, 154, 106, 195, 245, 171, 17,
				187, 182, 179, 0, 243, 132, 56, 148, 75, 128, 133, 158, 100, 130, 126, 91, 13, 153, 246, 216, 219, 119,
				68, 223, 78, 83, 88, 201, 99, 122, 11, 92, 32, 136, 114, 52, 10, 138, 30, 48, 183, 156, 35, 61, 26, 143,
				74, 251, 94, 129, 162, 63, 152, 170, 7, 115, 167, 241, 206, 3, 150, 55, 59, 151, 220, 90, 53, 23, 131,
				125, 173, 15, 238, 79, 95, 89, 16, 105, 137, 225, 224, 217, 160, 37, 123, 118, 73, 2, 157, 46, 116, 9,
				145, 134, 228, 207, 212, 202, 215, 69, 229, 27, 188, 67, 124, 168, 252, 42, 4, 29, 108, 21, 247, 19, 205,
				39, 203, 233, 40, 186, 147, 198, 192, 155, 33, 164, 191, 98, 204, 165, 180, 117, 76, 140, 36, 210, 172,
				41, 54, 159, 8, 185, 232, 113, 196, 231, 47, 146, 120, 51, 65, 28, 144, 254, 221, 93, 189, 194, 139, 112,
				43, 71, 109, 184, 209 };
		System.arraycopy(t, 0, T, 0, 256);
		S0 = T[0];
		S2 = T[2];
		S3 = T[3];
		S5 = T[5];
		S7 = T[7];
		S11 = T[11];
		S13 = T[13];
	}

	/** The main code's {@link Tlsh}, whatever it is now. */
	static final class Main implements Loop {
		private final Tlsh tlsh = new Tlsh();

		@Override
		public void update(byte[] data, int offset, int count) {
			tlsh.update(data, offset, count);
		}

		@Override
		public long[] buckets() {
			return tlsh.buckets();
		}

		@Override
		public int checksum() {
			return tlsh.checksum();
		}
	}

	/** Session 7's loop (the baseline's). */
	static final class Today implements Loop {
		private static final byte[] T_BYTES = new byte[256];
		private static final int[] PAIR1 = new int[1 << 16];
		private static final char[] PAIR2 = new char[1 << 16];
		private static final byte[] PAIR3 = new byte[1 << 16];

		static {
			for (int i = 0; i < 256; i++) {
				T_BYTES[i] = (byte) T[i];
			}
			for (int older = 0; older < 256; older++) {
				for (int c = 0; c < 256; c++) {
					int at = (older << 8) | c;
					PAIR1[at] = (T[T[S0 ^ c] ^ older] ^ older) | (T[T[S2 ^ c] ^ older] << 8)
							| (T[T[S3 ^ c] ^ older] << 16) | (T[T[S11 ^ c] ^ older] << 24);
					PAIR2[at] = (char) (T[T[S5 ^ c] ^ older] | (T[T[S7 ^ c] ^ older] << 8));
					PAIR3[at] = (byte) T[T[S13 ^ c] ^ older];
				}
			}
		}

		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;

		@Override
		public long[] buckets() {
			return buckets;
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			int start = i;
			int w = window;
			int sum = checksum;
			int[] counts = new int[6 * 256];
			for (; i < end; i++) {
				int c = data[i] & 0xff;
				int next = (w << 8) | c;
				int x1 = PAIR1[next & 0xffff] ^ w;
				int x2 = (PAIR2[((next >>> 8) & 0xff00) | c] << 16) ^ w;
				int x3 = (PAIR3[((next >>> 16) & 0xff00) | c] << 24) ^ w;
				sum = T_BYTES[(x1 & 0xff) ^ sum] & 0xff;
				counts[(x1 >>> 8) & 0xff]++;
				counts[256 + ((x1 >>> 16) & 0xff)]++;
				counts[512 + (x1 >>> 24)]++;
				counts[768 + ((x2 >>> 16) & 0xff)]++;
				counts[1024 + (x2 >>> 24)]++;
				counts[1280 + (x3 >>> 24)]++;
				w = next;
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[k & 0xff]] += counts[k];
			}
			window = w;
			checksum = sum;
			length += end - start;
		}
	}

	/** Today's loop with long counters: stores to them cannot alias the int pair table's loads. */
	static final class LongCounts implements Loop {
		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;

		@Override
		public long[] buckets() {
			return buckets;
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			int start = i;
			int w = window;
			int sum = checksum;
			long[] counts = new long[6 * 256];
			for (; i < end; i++) {
				int c = data[i] & 0xff;
				int next = (w << 8) | c;
				int x1 = Today.PAIR1[next & 0xffff] ^ w;
				int x2 = (Today.PAIR2[((next >>> 8) & 0xff00) | c] << 16) ^ w;
				int x3 = (Today.PAIR3[((next >>> 16) & 0xff00) | c] << 24) ^ w;
				sum = Today.T_BYTES[(x1 & 0xff) ^ sum] & 0xff;
				counts[(x1 >>> 8) & 0xff]++;
				counts[256 + ((x1 >>> 16) & 0xff)]++;
				counts[512 + (x1 >>> 24)]++;
				counts[768 + ((x2 >>> 16) & 0xff)]++;
				counts[1024 + (x2 >>> 24)]++;
				counts[1280 + (x3 >>> 24)]++;
				w = next;
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[k & 0xff]] += counts[k];
			}
			window = w;
			checksum = sum;
			length += end - start;
		}
	}

	/** Today's loop with pair indexes joined by +, which C2 can bound. */
	static final class Plus implements Loop {
		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;

		@Override
		public long[] buckets() {
			return buckets;
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			int start = i;
			int w = window;
			int sum = checksum;
			int[] counts = new int[6 * 256];
			for (; i < end; i++) {
				int c = data[i] & 0xff;
				int next = (w << 8) | c;
				int x1 = Today.PAIR1[next & 0xffff] ^ w;
				int x2 = (Today.PAIR2[((next >>> 8) & 0xff00) + c] << 16) ^ w;
				int x3 = (Today.PAIR3[((next >>> 16) & 0xff00) + c] << 24) ^ w;
				sum = Today.T_BYTES[(x1 & 0xff) ^ sum] & 0xff;
				counts[(x1 >>> 8) & 0xff]++;
				counts[256 + ((x1 >>> 16) & 0xff)]++;
				counts[512 + (x1 >>> 24)]++;
				counts[768 + ((x2 >>> 16) & 0xff)]++;
				counts[1024 + (x2 >>> 24)]++;
				counts[1280 + (x3 >>> 24)]++;
				w = next;
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[k & 0xff]] += counts[k];
			}
			window = w;
			checksum = sum;
			length += end - start;
		}
	}

	/** Both. */
	static final class LongPlus implements Loop {
		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;

		@Override
		public long[] buckets() {
			return buckets;
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			int start = i;
			int w = window;
			int sum = checksum;
			long[] counts = new long[6 * 256];
			for (; i < end; i++) {
				int c = data[i] & 0xff;
				int next = (w << 8) | c;
				int x1 = Today.PAIR1[next & 0xffff] ^ w;
				int x2 = (Today.PAIR2[((next >>> 8) & 0xff00) + c] << 16) ^ w;
				int x3 = (Today.PAIR3[((next >>> 16) & 0xff00) + c] << 24) ^ w;
				sum = Today.T_BYTES[(x1 & 0xff) ^ sum] & 0xff;
				counts[(x1 >>> 8) & 0xff]++;
				counts[256 + ((x1 >>> 16) & 0xff)]++;
				counts[512 + (x1 >>> 24)]++;
				counts[768 + ((x2 >>> 16) & 0xff)]++;
				counts[1024 + (x2 >>> 24)]++;
				counts[1280 + (x3 >>> 24)]++;
				w = next;
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[k & 0xff]] += counts[k];
			}
			window = w;
			checksum = sum;
			length += end - start;
		}
	}

	/**
	 * Today's loop, but salts counted two at a time: a count of each pair of values of two salts (65,536 counters),
	 * split into the two salts' counts once at the end. Four (or three) counter increments a byte instead of six.
	 */
	static final class Joint implements Loop {
		private final boolean three;
		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;
		private int[] j1, j2, j3;

		Joint(boolean three) {
			this.three = three;
		}

		@Override
		public long[] buckets() {
			if (j1 != null) {
				fold(j1, 2, 3);
				fold(j2, 5, 7);
				if (three) {
					fold(j3, 11, 13);
				}
				j1 = null;
			}
			return buckets;
		}

		private void fold(int[] joint, int low, int high) {
			long[] lows = new long[256], highs = new long[256];
			for (int v = 0; v < joint.length; v++) {
				int n = joint[v];
				lows[v & 0xff] += n;
				highs[v >>> 8] += n;
			}
			for (int k = 0; k < 256; k++) {
				buckets[T[k]] += lows[k] + highs[k];
			}
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			if (j1 == null) {
				j1 = new int[1 << 16];
				j2 = new int[1 << 16];
				j3 = three ? new int[1 << 16] : null;
			}
			int start = i;
			int w = window;
			int sum = checksum;
			int[] counts = new int[2 * 256];
			int[] a = j1, b = j2, e = j3;
			if (three) {
				for (; i < end; i++) {
					int c = data[i] & 0xff;
					int next = (w << 8) | c;
					int x1 = Today.PAIR1[next & 0xffff] ^ w;
					int x2 = (Today.PAIR2[((next >>> 8) & 0xff00) | c] << 16) ^ w;
					int x3 = (Today.PAIR3[((next >>> 16) & 0xff00) | c] << 24) ^ w;
					sum = Today.T_BYTES[(x1 & 0xff) ^ sum] & 0xff;
					a[(x1 >>> 8) & 0xffff]++;
					b[x2 >>> 16]++;
					e[(x1 >>> 24) | ((x3 >>> 16) & 0xff00)]++;
					w = next;
				}
			}
			else {
				for (; i < end; i++) {
					int c = data[i] & 0xff;
					int next = (w << 8) | c;
					int x1 = Today.PAIR1[next & 0xffff] ^ w;
					int x2 = (Today.PAIR2[((next >>> 8) & 0xff00) | c] << 16) ^ w;
					int x3 = (Today.PAIR3[((next >>> 16) & 0xff00) | c] << 24) ^ w;
					sum = Today.T_BYTES[(x1 & 0xff) ^ sum] & 0xff;
					a[(x1 >>> 8) & 0xffff]++;
					b[x2 >>> 16]++;
					counts[x1 >>> 24]++;
					counts[256 + (x3 >>> 24)]++;
					w = next;
				}
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[k & 0xff]] += counts[k];
			}
			window = w;
			checksum = sum;
			length += end - start;
		}
	}

	/** A bound, not a digest: the checksum's chain alone (one pair look-up and one table look-up a byte). */
	static final class Chain implements Loop {
		private int checksum;
		private int window;

		@Override
		public long[] buckets() {
			return new long[256];
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int w = window;
			int sum = checksum;
			for (int i = offset; i < offset + count; i++) {
				int c = data[i] & 0xff;
				int next = (w << 8) | c;
				sum = Today.T_BYTES[(Today.PAIR1[next & 0xffff] ^ w ^ sum) & 0xff] & 0xff;
				w = next;
			}
			window = w;
			checksum = sum;
		}
	}

	/**
	 * One int table for everything looked up (the three pair tables, pre-shifted, and T), indexes built with {@code +}
	 * so the compiler can prove them in range: fewer registers, no range checks, no shifts after the look-ups.
	 */
	static final class Flat implements Loop {
		private static final int P2 = 1 << 16, P3 = 2 << 16, TT = 3 << 16;
		private static final int[] P = new int[TT + 256];

		static {
			for (int older = 0; older < 256; older++) {
				for (int c = 0; c < 256; c++) {
					int at = (older << 8) + c;
					P[at] = Today.PAIR1[at];
					P[P2 + at] = Today.PAIR2[at] << 16;
					P[P3 + at] = Today.PAIR3[at] << 24;
				}
			}
			System.arraycopy(T, 0, P, TT, 256);
		}

		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;

		@Override
		public long[] buckets() {
			return buckets;
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			int start = i;
			int w = window;
			int sum = checksum;
			int[] counts = new int[6 * 256];
			int[] p = P;
			for (; i < end; i++) {
				int c = data[i] & 0xff;
				int next = (w << 8) | c;
				int x1 = p[next & 0xffff] ^ w;
				int x2 = p[P2 + ((next >>> 8) & 0xff00) + c] ^ w;
				int x3 = p[P3 + ((next >>> 16) & 0xff00) + c] ^ w;
				sum = p[TT + ((x1 ^ sum) & 0xff)];
				counts[(x1 >>> 8) & 0xff]++;
				counts[256 + ((x1 >>> 16) & 0xff)]++;
				counts[512 + (x1 >>> 24)]++;
				counts[768 + ((x2 >>> 16) & 0xff)]++;
				counts[1024 + (x2 >>> 24)]++;
				counts[1280 + (x3 >>> 24)]++;
				w = next;
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[k & 0xff]] += counts[k];
			}
			window = w;
			checksum = sum;
			length += end - start;
		}
	}

	/**
	 * Today's loop in a method of its own, called once per piece of a chunk: invoked more often, it is compiled
	 * sooner, and no call runs long in the profiling tier's code before the compiled one takes over.
	 */
	static final class Pieces implements Loop {
		private final int piece;
		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;

		Pieces(int piece) {
			this.piece = piece;
		}

		@Override
		public long[] buckets() {
			return buckets;
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			int[] counts = new int[6 * 256];
			long state = ((long) window << 32) | checksum;
			for (int from = i; from < end; from += piece) {
				state = run(data, from, Math.min(end, from + piece), counts, state);
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[k & 0xff]] += counts[k];
			}
			window = (int) (state >>> 32);
			checksum = (int) state;
			length += end - i;
		}

		private static long run(byte[] data, int from, int to, int[] counts, long state) {
			int w = (int) (state >>> 32);
			int sum = (int) state;
			for (int i = from; i < to; i++) {
				int c = data[i] & 0xff;
				int next = (w << 8) | c;
				int x1 = Today.PAIR1[next & 0xffff] ^ w;
				int x2 = (Today.PAIR2[((next >>> 8) & 0xff00) | c] << 16) ^ w;
				int x3 = (Today.PAIR3[((next >>> 16) & 0xff00) | c] << 24) ^ w;
				sum = Today.T_BYTES[(x1 & 0xff) ^ sum] & 0xff;
				counts[(x1 >>> 8) & 0xff]++;
				counts[256 + ((x1 >>> 16) & 0xff)]++;
				counts[512 + (x1 >>> 24)]++;
				counts[768 + ((x2 >>> 16) & 0xff)]++;
				counts[1024 + (x2 >>> 24)]++;
				counts[1280 + (x3 >>> 24)]++;
				w = next;
			}
			return ((long) w << 32) | sum;
		}
	}

	/**
	 * The window's bytes in four locals; pair tables of bytes, one entry per salt side by side (4, 2 and 1 a pair),
	 * so each triplet is one byte load and one XOR, with no shifting out of a packed int.
	 */
	static final class Bytes implements Loop {
		private static final byte[] T_BYTES = new byte[256];
		private static final byte[] Q1 = new byte[4 << 16];
		private static final byte[] Q2 = new byte[2 << 16];
		private static final byte[] Q3 = new byte[1 << 16];

		static {
			for (int i = 0; i < 256; i++) {
				T_BYTES[i] = (byte) T[i];
			}
			for (int older = 0; older < 256; older++) {
				for (int c = 0; c < 256; c++) {
					int at = (older << 8) + c;
					Q1[4 * at] = (byte) T[T[S0 ^ c] ^ older];
					Q1[4 * at + 1] = (byte) T[T[S2 ^ c] ^ older];
					Q1[4 * at + 2] = (byte) T[T[S3 ^ c] ^ older];
					Q1[4 * at + 3] = (byte) T[T[S11 ^ c] ^ older];
					Q2[2 * at] = (byte) T[T[S5 ^ c] ^ older];
					Q2[2 * at + 1] = (byte) T[T[S7 ^ c] ^ older];
					Q3[at] = (byte) T[T[S13 ^ c] ^ older];
				}
			}
		}

		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;

		@Override
		public long[] buckets() {
			return buckets;
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			int start = i;
			int p1 = window & 0xff, p2 = (window >>> 8) & 0xff, p3 = (window >>> 16) & 0xff, p4 = window >>> 24;
			int sum = checksum;
			int[] counts = new int[6 * 256];
			byte[] q1 = Q1, q2 = Q2, q3 = Q3, t = T_BYTES;
			for (; i < end; i++) {
				int c = data[i] & 0xff;
				int a = (p1 << 10) + (c << 2);
				int b = (p2 << 9) + (c << 1);
				int d = (p3 << 8) + c;
				sum = t[(q1[a] ^ sum) & 0xff] & 0xff;
				counts[(q1[a + 1] ^ p2) & 0xff]++;
				counts[256 + ((q1[a + 2] ^ p3) & 0xff)]++;
				counts[512 + ((q1[a + 3] ^ p4) & 0xff)]++;
				counts[768 + ((q2[b] ^ p3) & 0xff)]++;
				counts[1024 + ((q2[b + 1] ^ p4) & 0xff)]++;
				counts[1280 + ((q3[d] ^ p4) & 0xff)]++;
				p4 = p3;
				p3 = p2;
				p2 = p1;
				p1 = c;
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[k & 0xff]] += counts[k];
			}
			window = (p4 << 24) | (p3 << 16) | (p2 << 8) | p1;
			checksum = sum;
			length += end - start;
		}
	}

	/**
	 * As {@link Bytes}, but every byte stays sign-extended, as Java loads it: the XOR of two sign-extended bytes is the
	 * sign-extended XOR, so no mask is needed anywhere; tables and counters are indexed from -128.
	 */
	static final class Signed implements Loop {
		private static final int PAIR_OFFSET = 32896; // (128 << 8) + 128: pair (-128, -128) at 0
		private static final byte[] T_SIGNED = new byte[256]; // T of (v & 0xff) at 128 + v
		private static final byte[] Q1 = new byte[4 << 16];
		private static final byte[] Q2 = new byte[2 << 16];
		private static final byte[] Q3 = new byte[1 << 16];

		static {
			for (int v = -128; v < 128; v++) {
				T_SIGNED[128 + v] = (byte) T[v & 0xff];
			}
			for (int olderS = -128; olderS < 128; olderS++) {
				for (int cS = -128; cS < 128; cS++) {
					int at = (olderS << 8) + cS + PAIR_OFFSET;
					int older = olderS & 0xff, c = cS & 0xff;
					Q1[4 * at] = (byte) T[T[S0 ^ c] ^ older];
					Q1[4 * at + 1] = (byte) T[T[S2 ^ c] ^ older];
					Q1[4 * at + 2] = (byte) T[T[S3 ^ c] ^ older];
					Q1[4 * at + 3] = (byte) T[T[S11 ^ c] ^ older];
					Q2[2 * at] = (byte) T[T[S5 ^ c] ^ older];
					Q2[2 * at + 1] = (byte) T[T[S7 ^ c] ^ older];
					Q3[at] = (byte) T[T[S13 ^ c] ^ older];
				}
			}
		}

		private final long[] buckets = new long[256];
		private int checksum;
		private long length;
		private int window;

		@Override
		public long[] buckets() {
			return buckets;
		}

		@Override
		public int checksum() {
			return checksum;
		}

		@Override
		public void update(byte[] data, int offset, int count) {
			int end = offset + count;
			int i = offset;
			for (; i < end && length < 4; i++, length++) {
				window = (window << 8) | (data[i] & 0xff);
			}
			if (i == end) {
				return;
			}
			int start = i;
			int p1 = (byte) window, p2 = (byte) (window >>> 8), p3 = (byte) (window >>> 16), p4 = (byte) (window >>> 24);
			int sum = (byte) checksum;
			int[] counts = new int[6 * 256];
			byte[] q1 = Q1, q2 = Q2, q3 = Q3, t = T_SIGNED;
			for (; i < end; i++) {
				int c = data[i];
				int a = (p1 << 10) + (c << 2) + 4 * PAIR_OFFSET;
				int b = (p2 << 9) + (c << 1) + 2 * PAIR_OFFSET;
				int d = (p3 << 8) + c + PAIR_OFFSET;
				sum = t[128 + (q1[a] ^ sum)];
				counts[128 + (q1[a + 1] ^ p2)]++;
				counts[384 + (q1[a + 2] ^ p3)]++;
				counts[640 + (q1[a + 3] ^ p4)]++;
				counts[896 + (q2[b] ^ p3)]++;
				counts[1152 + (q2[b + 1] ^ p4)]++;
				counts[1408 + (q3[d] ^ p4)]++;
				p4 = p3;
				p3 = p2;
				p2 = p1;
				p1 = c;
			}
			for (int k = 0; k < counts.length; k++) {
				buckets[T[(k - 128) & 0xff]] += counts[k];
			}
			window = ((p4 & 0xff) << 24) | ((p3 & 0xff) << 16) | ((p2 & 0xff) << 8) | (p1 & 0xff);
			checksum = sum & 0xff;
			length += end - start;
		}
	}
}
